"""Erasure app by app: an app that fails keeps its rows whole, the others are done, and the worker finishes it."""

import pytest

from frenchbot.leads.models import ConsentRecord, Lead
from frenchbot.leads.services import contact_submit
from frenchbot.privacy import registry, services
from frenchbot.privacy.models import PrivacyRequest
from frenchbot.privacy.registry import Subject
from frenchbot.privacy.tasks import erasures_resume

pytestmark = pytest.mark.django_db

EMAIL = "paul@exemple.fr"


def _contact():
    contact_submit(
        name="Paul Langevin",
        email=EMAIL,
        company="",
        subject="autre",
        message="Une question sur vos tarifs.",
        consent=True,
        consent_text="J'accepte d'être recontacté.",
        ip="198.51.100.4",
    )


def test_an_app_that_fails_keeps_its_rows_whole_and_the_worker_finishes_it(monkeypatch):
    _contact()
    leads_app = registry.declarations_by_app()["leads"]
    lead_declaration = next(d for d in leads_app if d.model is Lead)
    real_erase = type(lead_declaration).erase

    def broken(self, rows):
        raise RuntimeError("database went away")

    # The lead is the last row the leads app erases: its consents are deleted first, in the same transaction.
    monkeypatch.setattr(type(lead_declaration), "erase", broken)
    request = services.erasure_request(subject=Subject(emails=(EMAIL,)), channel=PrivacyRequest.Channel.LINK)
    assert request.status == PrivacyRequest.Status.INCOMPLETE
    assert [s["app"] for s in request.steps if s["outcome"] == "failed"] == ["leads"]
    # Nothing half-deleted: the consents rolled back with the lead.
    assert ConsentRecord.objects.filter(lead__email=EMAIL).count() == 1
    assert request.email == EMAIL  # kept while the request is open, to finish it

    monkeypatch.setattr(type(lead_declaration), "erase", real_erase)
    assert erasures_resume.enqueue().return_value == 1
    request.refresh_from_db()
    assert request.status == PrivacyRequest.Status.DONE and request.attempts == 2
    assert request.email == ""
    assert not Lead.objects.filter(email=EMAIL).exists()
    assert not ConsentRecord.objects.filter(lead__name="Paul Langevin").exists()


def test_the_fingerprints_are_read_before_anything_is_erased():
    _contact()
    subject = services.subject_with_fingerprints(Subject(emails=(EMAIL,)))
    fingerprint = ConsentRecord.objects.get(lead__email=EMAIL).ip_fingerprint
    assert fingerprint and subject.ip_fingerprints == (fingerprint,)


def test_a_subject_for_an_address_covers_the_account_with_that_address(django_user_model):
    user = django_user_model.objects.create_user(username="paul", email="Paul@Exemple.fr", password="x")
    subject = services.subject_for_email(email=EMAIL, session_key="abc")
    assert subject.user_id == user.pk and subject.session_keys == ("abc",) and subject.emails == (EMAIL,)


def test_the_record_of_e_mails_sent_is_erased_but_a_task_still_waiting_runs(settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    done = DBTaskResult.objects.create(
        task_path="frenchbot.privacy.tasks.link_send",
        args_kwargs={"args": [], "kwargs": {"email": EMAIL}},
        status="SUCCESSFUL",
        finished_at=timezone.now(),
        queue_name="default",
        backend_name="default",
        run_after=None,
    )
    waiting = DBTaskResult.objects.create(
        task_path="frenchbot.booking.tasks.send_booking_cancellation",
        args_kwargs={"args": [], "kwargs": {"visitor": {"email": EMAIL}}},
        status="READY",
        queue_name="default",
        backend_name="default",
        run_after=None,
    )
    other = DBTaskResult.objects.create(
        task_path="frenchbot.privacy.tasks.link_send",
        args_kwargs={"args": [], "kwargs": {"email": "quelquun@exemple.fr"}},
        status="SUCCESSFUL",
        finished_at=timezone.now(),
        queue_name="default",
        backend_name="default",
        run_after=None,
    )
    services.erasure_request(subject=Subject(emails=(EMAIL.upper(),)), channel=PrivacyRequest.Channel.LINK)
    assert not DBTaskResult.objects.filter(pk=done.pk).exists()
    assert DBTaskResult.objects.filter(pk=waiting.pk).exists()
    assert DBTaskResult.objects.filter(pk=other.pk).exists()
