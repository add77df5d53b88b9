"""lead_touch: one lead per address, consents as proof, a timeline that only grows."""

import pytest

from frenchbot.core.net import ip_fingerprint
from frenchbot.leads import services
from frenchbot.leads.models import ConsentRecord, Lead, LeadEvent, Source

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_first_touch_creates_the_lead_with_its_consent_and_event():
    lead = services.lead_touch(
        email="  Jeanne.Dupont@Example.FR ",
        name="Jeanne Dupont",
        source=Source.CONTACT,
        consent_text="J'accepte d'être recontactée.",
        event=LeadEvent.Kind.CONTACT,
        payload={"message": "Bonjour"},
        ip="203.0.113.7",
    )
    assert lead.email == "jeanne.dupont@example.fr"
    assert lead.status == Lead.Status.NEW
    assert lead.source == Source.CONTACT
    consent = ConsentRecord.objects.get(lead=lead)
    assert consent.text == "J'accepte d'être recontactée."
    assert consent.purpose == Source.CONTACT
    # The address is kept only as a keyed hash (GDPR), never in clear.
    assert consent.ip_fingerprint == ip_fingerprint("203.0.113.7")
    assert "203.0.113.7" not in consent.ip_fingerprint
    event = lead.events.get()
    assert event.kind == "contact"
    assert event.payload == {"message": "Bonjour"}


def test_same_address_in_another_case_updates_the_same_lead():
    first = services.lead_touch(email="jeanne@example.fr", source=Source.CONTACT, event="contact")
    second = services.lead_touch(
        email="JEANNE@EXAMPLE.FR",
        name="Jeanne",
        company="Dupont SARL",
        source=Source.AUDIT,
        event="audit_completed",
    )
    assert first.pk == second.pk
    assert Lead.objects.count() == 1
    second.refresh_from_db()
    # The origin is where the person first came from; the details follow what they last told us.
    assert second.source == Source.CONTACT
    assert second.name == "Jeanne"
    assert second.company == "Dupont SARL"
    assert list(second.events.values_list("kind", flat=True).order_by("id")) == ["contact", "audit_completed"]


def test_the_database_refuses_a_second_lead_for_the_same_address_whatever_the_case():
    from django.db import IntegrityError, transaction

    Lead.objects.create(email="paul@example.fr")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypass save() normalisation to prove the constraint itself is case-insensitive.
        Lead.objects.bulk_create([Lead(email="PAUL@example.fr")])


def test_status_moves_forward_only_and_never_leaves_client_or_lost():
    lead = services.lead_touch(
        email="a@example.fr", source=Source.BOOKING, event="booking_created", advance_to="audit_booked"
    )
    assert lead.status == Lead.Status.AUDIT_BOOKED
    assert lead.events.filter(kind="status_changed").count() == 1
    services.lead_set_status(lead=lead, status=Lead.Status.PROPOSAL)
    lead = services.lead_touch(
        email="a@example.fr", source=Source.BOOKING, event="booking_created", advance_to="audit_booked"
    )
    assert lead.status == Lead.Status.PROPOSAL
    services.lead_set_status(lead=lead, status=Lead.Status.LOST)
    lead = services.lead_touch(
        email="a@example.fr", source=Source.AUDIT, event="audit_completed", advance_to="audit_done"
    )
    assert lead.status == Lead.Status.LOST


def test_invalid_address_or_source_writes_nothing():
    with pytest.raises(services.LeadError) as error:
        services.lead_touch(email="pas-une-adresse", source=Source.CONTACT, event="contact")
    assert error.value.field == "email"
    assert "ne semble pas valide" in error.value.message
    with pytest.raises(services.LeadError):
        services.lead_touch(email="ok@example.fr", source="inconnue", event="contact")
    assert not Lead.objects.exists()


def test_staff_status_note_and_next_action_go_on_the_timeline(django_user_model):
    staff = django_user_model.objects.create_user("camille", is_staff=True)
    lead = LeadFactory()
    services.lead_set_status(lead=lead, status=Lead.Status.AUDIT_DONE, by=staff)
    services.lead_add_note(lead=lead, text="Très intéressée par l'automatisation des devis.", by=staff)
    import datetime

    services.lead_set_next_action(
        lead=lead, on=datetime.date(2026, 12, 3), text="Envoyer la proposition", by=staff
    )
    lead.refresh_from_db()
    assert lead.status == Lead.Status.AUDIT_DONE
    assert lead.next_action == "Envoyer la proposition"
    assert lead.next_action_on == datetime.date(2026, 12, 3)
    kinds = list(lead.events.order_by("id").values_list("kind", "author__username"))
    assert kinds == [("status_changed", "camille"), ("note", "camille"), ("next_action", "camille")]
    with pytest.raises(services.LeadError):
        services.lead_add_note(lead=lead, text="   ")
    with pytest.raises(services.LeadError):
        services.lead_set_next_action(lead=lead, on=datetime.date(2026, 12, 3), text="")
    with pytest.raises(services.LeadError):
        services.lead_set_status(lead=lead, status="inexistant")


def test_a_failed_caller_transaction_leaves_no_lead():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.lead_touch(
            email="z@example.fr", source=Source.BOOKING, event="booking_created", consent_text="oui"
        )
        raise RuntimeError("the booking failed")
    assert not Lead.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_an_event_recorded_by_another_app_goes_on_the_timeline_and_touches_the_lead():
    import datetime

    from django.utils import timezone

    lead = LeadFactory(last_activity_at=timezone.now() - datetime.timedelta(days=30))
    at = timezone.now()
    event = services.lead_event_record(
        lead_id=lead.pk,
        kind=LeadEvent.Kind.BOOKING_CANCELLED,
        summary="Appel d'audit offert — " + "x" * 400,
        payload={"booking": "abc"},
        at=at,
    )
    lead.refresh_from_db()
    assert lead.last_activity_at == at
    assert list(lead.events.all()) == [event]
    assert event.kind == "booking_cancelled"
    assert event.payload == {"booking": "abc"}
    # Cut to its column, as PostgreSQL would refuse a longer line.
    assert len(event.summary) == 300 and event.summary.startswith("Appel d'audit offert — ")
