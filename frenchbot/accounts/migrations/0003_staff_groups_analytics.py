"""The audience figures' permissions given to the team's groups (issue 16), the least each work needs:

- Commercial follows the audience and the journey to an audit, a call and a training: the daily figures
  read-only, which open the statistics at /equipe/statistiques/.
- Rédaction writes the articles and needs to know which ones bring readers and which ones convert: the same.
- Formation, Modération: nothing here. The bot's figures on the statistics page show only to holders of
  assistant.view_message (Modération does not get the page: its work is the unanswered questions themselves).

No one gets the raw events (Hit, Goal) nor the salts: nobody reads them but the rollup job.

Like 0001 and 0002, the table is frozen here; 0001's groups_create makes the permissions first (it runs for
every app).
"""

from django.db import migrations

GROUPS = {
    "Commercial": {
        "analytics": {
            "dailytotals": ("view",),
            "dailypage": ("view",),
            "dailydimension": ("view",),
            "dailygoal": ("view",),
        },
    },
    "Rédaction": {
        "analytics": {
            "dailytotals": ("view",),
            "dailypage": ("view",),
            "dailydimension": ("view",),
            "dailygoal": ("view",),
        },
    },
}


def _wanted(table):
    return [
        (app_label, f"{action}_{model}")
        for app_label, models in table.items()
        for model, actions in models.items()
        for action in actions
    ]


def permissions_grant(apps, schema_editor):
    from importlib import import_module

    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # As in 0001: create_permissions skips an app whose models module is unset in a migration's state.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    if not Group.objects.filter(name__in=GROUPS).exists():
        # A test database emptied by a transactional test: 0002 makes 0001's groups and its own grants first.
        import_module("frenchbot.accounts.migrations.0002_staff_groups_newsletter_events").permissions_grant(
            apps, schema_editor
        )
    for name, table in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        # get(), not filter(): a name wrong here must stop the migration, not leave a group short.
        group.permissions.add(
            *(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in _wanted(table)
            )
        )


def permissions_revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, table in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, codename in _wanted(table):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_groups_newsletter_events"),
        ("analytics", "0001_initial"),
    ]

    operations = [migrations.RunPython(permissions_grant, permissions_revoke)]
