"""The newsletter's and the events' permissions given to the team's groups (issue 14), the least each work needs:

- Rédaction writes the letters: lists and letters in full; the letters' figures at /equipe/lettre/ come with
  them. No subscriber: the addresses are personal data its work does not need.
- Commercial follows the audience: subscribers read-only (the back-office export is for the holders of
  view_subscriber), lists and letters read-only; events changed (a date, the seats, the replay link, the
  follow-up sent), registrations read and changed (attendance, a cancellation made by hand), survey answers read.
- Formation runs the workshops and webinars: events in full, registrations read and changed (attendance), survey
  answers read (how the session went). No subscriber.
- Modération: nothing here.

Like 0001, the table is frozen here; 0001's groups_create makes the permissions first (it runs for every app).
"""

from django.db import migrations

ALL = ("add", "change", "delete", "view")

GROUPS = {
    "Rédaction": {
        "newsletter": {"mailinglist": ALL, "issue": ALL},
    },
    "Commercial": {
        "newsletter": {"subscriber": ("view",), "mailinglist": ("view",), "issue": ("view",)},
        "events": {
            "event": ("change", "view"),
            "registration": ("change", "view"),
            "surveyresponse": ("view",),
        },
    },
    "Formation": {
        "events": {"event": ALL, "registration": ("change", "view"), "surveyresponse": ("view",)},
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
        # A test database emptied by a transactional test: 0001 makes the groups again first.
        import_module("frenchbot.accounts.migrations.0001_staff_groups").groups_create(apps, schema_editor)
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
        ("accounts", "0001_staff_groups"),
        ("newsletter", "0001_initial"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(permissions_grant, permissions_revoke)]
