"""The audience measure is declared as a treatment with no personal data: its raw rows hold nothing that leads
to a person, and the reason says so; its policy paragraphs are the policy's, and its retention follows the
setting."""

import datetime

import pytest
from django.utils import translation

from frenchbot.analytics.hashing import salt_for, salts_forget, visitor_hash
from frenchbot.analytics.models import Goal, Hit, Salt
from frenchbot.analytics.privacy import AUDIENCE
from frenchbot.analytics.rollups import salts_rotate
from frenchbot.privacy import registry


def test_the_audience_measure_is_a_treatment_without_declarations():
    assert AUDIENCE in registry.treatments()
    assert AUDIENCE.legal_basis == "legitimate_interest" and AUDIENCE.order == 80
    assert [d for d in registry.declarations() if d.app_label == "analytics"] == []
    exempt = registry.not_personal_models()
    for label in ("analytics.Hit", "analytics.Goal", "analytics.DailyGoal", "analytics.ReportRecipient.user"):
        assert exempt.get(label), label


def test_its_description_is_the_policys_two_paragraphs():
    first, second = AUDIENCE.paragraphs()
    assert first.startswith("Pour savoir quelles pages sont lues")
    assert second.startswith("Si votre navigateur demande à ne pas être suivi")
    assert "Base légale\u00a0: notre intérêt légitime" in second
    with translation.override("en"):
        english = AUDIENCE.paragraphs()
    assert english[0].startswith("To find out which pages are read")
    assert english[1].startswith("If your browser asks not to be tracked")


def test_the_retention_follows_the_setting(settings):
    settings.ANALYTICS_RAW_RETENTION_DAYS = 200
    assert "200\u00a0jours au plus" in AUDIENCE.retention_text()


@pytest.mark.django_db
def test_a_visitor_number_cannot_be_recomputed_once_its_day_is_over():
    # What the reason given for Hit and Goal rests on: the number depends on the day's salt, and once the salt
    # is deleted, the same address and browser give another number (the old one is lost for good).
    day = datetime.date(2026, 3, 2)
    number = visitor_hash(ip="203.0.113.5", user_agent="Firefox", day=day)
    assert number == visitor_hash(ip="203.0.113.5", user_agent="Firefox", day=day)
    salts_rotate(today=day + datetime.timedelta(days=1))
    assert not Salt.objects.filter(day=day).exists()
    salts_forget()
    assert salt_for(day)  # a new salt, drawn at random
    assert visitor_hash(ip="203.0.113.5", user_agent="Firefox", day=day) != number
    # And the raw rows have no field that could hold the address or the browser.
    names = {f.name for f in (*Hit._meta.concrete_fields, *Goal._meta.concrete_fields)}
    assert not names & {"ip", "ip_hash", "ip_fingerprint", "user_agent", "user", "session_key", "email"}
