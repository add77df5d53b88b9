"""The account page: names kept or changed, what the learner follows, earned and manages."""

import datetime
import html as html_lib

import pytest
from django.urls import reverse

from frenchbot.courses.models import Certificate, LessonCompletion
from frenchbot.courses.tests.factories import (
    CompanyFactory,
    EnrolmentFactory,
    LearnerFactory,
    LessonFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db

URL = "/compte/profil/"


def test_profile_url():
    assert reverse("accounts:profile") == URL


def test_profile_needs_a_signed_in_learner(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


def test_profile_changes_the_names(client):
    user = LearnerFactory(first_name="Claire", last_name="Martin")
    client.force_login(user)
    response = client.post(URL, {"first_name": "  Claire-Marie ", "last_name": "Martin Dupuis"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Claire-Marie", "Martin Dupuis")
    page = client.get(URL).content.decode()
    assert "Vos nom et prénom sont enregistrés." in page
    assert 'value="Claire-Marie"' in page


def test_profile_with_a_missing_name_keeps_the_input_and_changes_nothing(client):
    user = LearnerFactory(first_name="Claire", last_name="Martin")
    client.force_login(user)
    response = client.post(URL, {"first_name": "Claire-Marie", "last_name": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Indiquez votre nom." in page
    assert 'value="Claire-Marie"' in page
    assert 'aria-invalid="true"' in page
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Claire", "Martin")


def test_profile_rejects_a_post_without_csrf_token():
    from django.test import Client

    user = LearnerFactory(first_name="Claire")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.post(URL, {"first_name": "X", "last_name": "Y"}).status_code == 403
    user.refresh_from_db()
    assert user.first_name == "Claire"


def test_profile_edits_are_rate_limited(client, monkeypatch):
    from frenchbot.accounts import services

    monkeypatch.setattr(services, "PROFILE_RATE_LIMIT", 2)
    user = LearnerFactory()
    client.force_login(user)
    for number in range(2):
        assert client.post(URL, {"first_name": f"A{number}", "last_name": "B"}).status_code == 302
    response = client.post(URL, {"first_name": "Trop", "last_name": "Vite"})
    assert response.status_code == 429
    assert "Patientez quelques minutes" in html_lib.unescape(response.content.decode())
    assert 'value="Trop"' in response.content.decode()
    user.refresh_from_db()
    assert user.first_name == "A1"


def test_profile_lists_trainings_certificates_companies_and_the_data_note(client):
    user = LearnerFactory()
    training = TrainingFactory(title="ChatGPT au bureau")
    first = LessonFactory(module__training=training)
    LessonFactory(module=first.module)
    enrolment = EnrolmentFactory(user=user, training=training)
    LessonCompletion.objects.create(enrolment=enrolment, lesson=first)
    done = EnrolmentFactory(user=user, training=TrainingFactory(title="Automatiser ses devis"))
    Certificate.objects.create(
        enrolment=done,
        learner_name="Claire Martin",
        training_title="Automatiser ses devis",
        hours=7,
        issued_on=datetime.date(2026, 11, 27),
        code="ABCDEFGH23",
    )
    company = CompanyFactory(manager=user, name="Boulangerie Dupont", seats=4)
    someone_else = EnrolmentFactory(training=TrainingFactory(title="Pas la mienne"))
    client.force_login(user)

    page = html_lib.unescape(client.get(URL).content.decode())
    assert "ChatGPT au bureau" in page
    assert f'href="{training.get_absolute_url()}"' in page
    assert "50\u00a0% terminé" in page
    assert "Délivré le 27 novembre 2026" in page and "ABCDEFGH23" in page
    assert reverse("certificate_verify", args=["ABCDEFGH23"]) in page
    assert "Boulangerie Dupont" in page
    assert reverse("courses:company", args=[company.pk]) in page
    assert someone_else.training.title not in page
    assert user.email in page
    assert reverse("account_email") in page and reverse("account_change_password") in page
    assert reverse("pages:privacy") in page
    assert 'name="robots" content="noindex"' in page


def test_email_page_is_in_french(client):
    client.force_login(LearnerFactory(email="claire@exemple.fr"))
    page = html_lib.unescape(client.get(reverse("account_email")).content.decode())
    assert "Votre adresse actuelle\u00a0: <strong>claire@exemple.fr</strong>" in page
    assert "Nouvelle adresse e-mail" in page


def test_password_change_keeps_the_learner_signed_in(client):
    user = LearnerFactory()
    client.force_login(user)
    page = client.get(reverse("account_change_password")).content.decode()
    assert "Mot de passe actuel" in page
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "motdepasse-solide-42",
            "password1": "Autre-Secret-2026",
            "password2": "Autre-Secret-2026",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Autre-Secret-2026")
    assert client.session["_auth_user_id"] == str(user.pk)
