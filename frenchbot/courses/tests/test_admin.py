"""The team's tools in the admin: revoke a certificate, see a company's seats."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from .factories import CertificateFactory, CompanyFactory, SeatFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(
        "equipe", "equipe@thefrenchbot.fr", "motdepasse-solide-42"
    )
    client.force_login(user)
    return client


def test_revoking_a_certificate_shows_on_the_public_page(admin_client, client):
    certificate = CertificateFactory()
    response = admin_client.post(
        reverse("admin:courses_certificate_changelist"),
        {"action": "revoke", "_selected_action": [str(certificate.pk)]},
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    page = client.get(reverse("certificate_verify", args=[certificate.code])).content.decode()
    assert "a été révoqué" in page

    admin_client.post(
        reverse("admin:courses_certificate_changelist"),
        {"action": "reinstate", "_selected_action": [str(certificate.pk)]},
    )
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_the_company_list_shows_seats_used_and_the_managers_page(admin_client):
    company = CompanyFactory(seats=5)
    SeatFactory(company=company)
    SeatFactory(company=company)
    html = admin_client.get(reverse("admin:courses_company_changelist")).content.decode()
    assert "2 / 5" in html
    assert reverse("courses:company", args=[company.pk]) in html
