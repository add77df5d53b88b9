"""Every model holding personal data is declared: a new model with an e-mail, a name, an IP fingerprint, a link to
an account or a person's free text fails here until its app says what the rights do to it."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from frenchbot.privacy import registry
from frenchbot.privacy.registry import Erasure, LegalBasis, Subject

# Field names that hold something about a person wherever they appear.
PERSONAL_NAMES = {
    "email",
    "name",
    "first_name",
    "last_name",
    "learner_name",
    "display_name",
    "company",
    "ip_fingerprint",
    "ip_hash",
    "voter_id",
    "session_key",
    "user_agent",
    "visitor",
    "message",
    "comment",
    "content",
    "prompt",
    "answers",
    "consent_text",
    "phone",
}


def _looks_personal(field) -> bool:
    if not field.concrete:
        return False
    if isinstance(field, (models.EmailField, models.GenericIPAddressField)):
        return True
    if field.is_relation:
        return field.related_model is not None and field.related_model._meta.label == settings.AUTH_USER_MODEL
    return field.name in PERSONAL_NAMES


def _undeclared() -> list[str]:
    exempt = registry.not_personal_models()
    missing = []
    for model in apps.get_models():
        label = model._meta.label
        if label in exempt:
            continue
        declaration = registry.declaration_for(label)
        declared = set(declaration.fields) if declaration else set()
        for field in model._meta.get_fields():
            if not _looks_personal(field) or field.name in declared or f"{label}.{field.name}" in exempt:
                continue
            missing.append(f"{label}.{field.name}")
    return missing


def test_every_personal_field_of_every_model_is_declared_or_said_not_personal():
    assert _undeclared() == []


def test_a_new_model_with_an_email_would_be_caught():
    class Undeclared(models.Model):
        email = models.EmailField()

        class Meta:
            app_label = "privacy"
            managed = False

        def __str__(self) -> str:
            return self.email

    try:
        assert "privacy.Undeclared.email" in _undeclared()
    finally:
        apps.all_models["privacy"].pop("undeclared", None)
        apps.clear_cache()


@pytest.mark.parametrize("declaration", registry.declarations(), ids=lambda d: d.model_label)
def test_each_declaration_names_real_fields_and_a_treatment(declaration):
    meta = declaration.model._meta
    for name in (*declaration.fields, *declaration.name_fields, *declaration.email_fields):
        meta.get_field(name)  # raises FieldDoesNotExist on a typo
    assert declaration.erasure in Erasure.values
    assert str(declaration.label) and declaration.erasure_summary()
    treatment = declaration.treatment
    assert treatment.legal_basis in LegalBasis.values
    assert str(treatment.name) and str(treatment.purpose) and str(treatment.description)
    assert treatment.retention_text() and treatment.categories


@pytest.mark.django_db
@pytest.mark.parametrize("declaration", registry.declarations(), ids=lambda d: d.model_label)
def test_an_empty_subject_finds_no_row(declaration):
    assert list(declaration.rows(Subject())) == []
