"""The team's side: the requests with their deadline, a request received by post entered and executed, the
register generated from the declarations; and staff only."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from frenchbot.leads.models import Lead
from frenchbot.leads.services import contact_submit
from frenchbot.privacy import registry
from frenchbot.privacy.models import PrivacyRequest

pytestmark = pytest.mark.django_db

EMAIL = "lettre@exemple.fr"


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user(
        username="dpo", password="x", is_staff=True, email="dpo@tfb.fr"
    )
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="privacy"))
    return user


def test_a_request_received_by_post_is_entered_with_its_deadline_then_executed(client, staff):
    contact_submit(
        name="Irène Joliot",
        email=EMAIL,
        company="",
        subject="autre",
        message="Bonjour",
        consent=True,
        consent_text="J'accepte.",
        ip="192.0.2.1",
    )
    client.force_login(staff)
    response = client.post(
        reverse("backoffice:privacy_requests"),
        {"right": "erasure", "email": EMAIL, "note": "Courrier reçu le 3 décembre"},
    )
    assert response.status_code == 302
    request = PrivacyRequest.objects.get()
    assert request.status == PrivacyRequest.Status.RECEIVED and request.created_by == staff
    assert request.due_on == timezone.localdate() + datetime.timedelta(days=30)
    listing = client.get(reverse("backoffice:privacy_requests")).content.decode()
    assert "Courrier reçu le 3 décembre" in listing and "Effacement" in listing
    assert Lead.objects.filter(email=EMAIL).exists()  # nothing done before the team executes it
    client.post(reverse("backoffice:privacy_request_execute", args=[request.public_id]))
    request.refresh_from_db()
    assert request.status == PrivacyRequest.Status.DONE and request.email == ""
    assert not Lead.objects.filter(email=EMAIL).exists()


def test_a_late_request_is_flagged(client, staff):
    request = PrivacyRequest.objects.create(
        right="access", channel="staff", email=EMAIL, due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(staff)
    assert "en retard" in client.get(reverse("backoffice:privacy_requests")).content.decode()
    assert request.is_open


def test_an_invalid_manual_request_keeps_what_was_typed(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("backoffice:privacy_requests"), {"right": "erasure", "email": "", "note": "Reçu"}
    )
    assert response.status_code == 400
    assert "Indiquez l&#x27;adresse e-mail de la personne." in response.content.decode()
    assert "Reçu</textarea>" in response.content.decode()


def test_the_register_lists_every_treatment_and_exports_it(client, staff):
    client.force_login(staff)
    page = client.get(reverse("backoffice:privacy_register")).content.decode()
    for treatment in registry.treatments():
        assert str(treatment.name).replace("'", "&#x27;") in page
    export = b"".join(client.get(reverse("backoffice:privacy_register_export")).streaming_content).decode(
        "utf-8-sig"
    )
    assert export.splitlines()[0].startswith("Traitement;Finalité;Base légale")
    assert len(export.splitlines()) == len(registry.treatments()) + 1


@pytest.mark.parametrize("name", ["privacy_requests", "privacy_register", "privacy_register_export"])
def test_only_staff_with_the_permission_see_the_requests(client, django_user_model, name):
    assert client.get(reverse(f"backoffice:{name}")).status_code == 302
    member = django_user_model.objects.create_user(username="commercial", password="x", is_staff=True)
    client.force_login(member)
    assert client.get(reverse(f"backoffice:{name}")).status_code == 403


def test_executing_needs_the_change_permission(client, django_user_model):
    request = PrivacyRequest.objects.create(
        right="erasure", channel="staff", email=EMAIL, due_on=timezone.localdate()
    )
    reader = django_user_model.objects.create_user(username="lecteur", password="x", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_privacyrequest"))
    client.force_login(reader)
    assert (
        client.post(reverse("backoffice:privacy_request_execute", args=[request.public_id])).status_code
        == 403
    )
    request.refresh_from_db()
    assert request.status == PrivacyRequest.Status.RECEIVED
