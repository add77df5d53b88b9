"""The team's groups, each with the least permissions its work needs in the admin and the back-office (/equipe/).

The table is frozen here, as migrations are: a model added later joins a group by a later migration. Permissions
are made here rather than left to post_migrate, which runs only after every migration: on a fresh database
they would not exist yet.
"""

from django.db import migrations

ALL = ("add", "change", "delete", "view")

GROUPS = {
    # Editor: the blog's articles and their categories and tags, the FAQ the bot answers from.
    "Rédaction": {
        "blog": {"article": ALL, "category": ALL, "tag": ALL},
        "assistant": {"faqentry": ALL},
    },
    # Moderator: readers' comments, polls (closing a vote), the questions the bot could not answer (turned
    # into an FAQ entry or dismissed); articles read-only, to see what a comment is about.
    "Modération": {
        "blog": {
            "comment": ("change", "delete", "view"),
            "poll": ("change", "view"),
            "polloption": ("view",),
            "article": ("view",),
        },
        "assistant": {
            "conversation": ("view",),
            "message": ("change", "view"),
            "feedback": ("view",),
            "faqentry": ("add", "view"),
        },
    },
    # Sales: leads and their timeline (notes, status), consents read-only, bookings, audit answers.
    "Commercial": {
        "leads": {"lead": ("change", "view"), "leadevent": ("add", "view"), "consentrecord": ("view",)},
        "booking": {"booking": ("change", "view"), "eventtype": ("view",), "teammember": ("view",)},
        "audits": {"audit": ("view",), "opportunity": ("view",)},
    },
    # Trainer: the trainings' content (modules, lessons, quizzes, exercises), exercise review, enrolments and
    # results read-only.
    "Formation": {
        "courses": {
            "training": ALL,
            "module": ALL,
            "lesson": ALL,
            "lessonimage": ALL,
            "resource": ALL,
            "quiz": ALL,
            "quizquestion": ALL,
            "quizchoice": ALL,
            "promptexercise": ALL,
            "rubriccriterion": ALL,
            "exercisesubmission": ("change", "view"),
            "enrolment": ("view",),
            "quizattempt": ("view",),
            "lessoncompletion": ("view",),
            "certificate": ("view",),
        },
    },
}


def groups_create(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # create_permissions skips an app whose models module is unset, as it is in a migration's state.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, table in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [
            (app_label, f"{action}_{model}")
            for app_label, models in table.items()
            for model, actions in models.items()
            for action in actions
        ]
        permissions = []
        for app_label, codename in wanted:
            # get(), not filter(): a name wrong here must stop the migration, not leave a group short.
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*permissions)


def groups_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("assistant", "0003_faq_entry_unanswered_review"),
        ("audits", "0002_audit_ai_model_audit_ai_text_audit_ai_written_at_and_more"),
        ("blog", "0001_initial"),
        ("booking", "0003_help_text_nbsp"),
        ("courses", "0004_help_text_nbsp"),
        ("leads", "0002_source_assistant"),
    ]

    operations = [migrations.RunPython(groups_create, groups_delete)]
