"""What the apps' privacy tests share: one app's erasure run as the privacy app runs it, and a search of an app's
tables for what should be gone."""

from django.apps import apps
from django.db import models, transaction

from . import registry
from .registry import Subject


def app_erase(app_label: str, subject: Subject) -> None:
    """One app's part of an erasure: its declarations in order, in one transaction."""
    with transaction.atomic():
        for declaration in registry.declarations_by_app()[app_label]:
            declaration.erase(declaration.rows(subject))


def app_mentions(app_label: str, needles) -> list[str]:
    """Every text value of the app's tables that contains one of `needles` (case ignored), as
    « app.Model.field#pk »."""
    needles = [needle.lower() for needle in needles]
    found = []
    for model in apps.get_app_config(app_label).get_models():
        text_fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField, models.JSONField))
        ]
        for row in model._default_manager.all():
            for field in text_fields:
                value = str(getattr(row, field.attname) or "").lower()
                if any(needle in value for needle in needles):
                    found.append(f"{model._meta.label}.{field.name}#{row.pk}")
    return found
