"""Company accounts: invitations over real SMTP, accepting a seat, the manager's page, freeing a seat."""

import html as html_lib
import re
from email.header import decode_header, make_header

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from frenchbot.courses.access import has_active_enrolment
from frenchbot.courses.errors import SeatError
from frenchbot.courses.models import Enrolment, LessonCompletion, Seat
from frenchbot.courses.selectors import companies as company_selectors
from frenchbot.courses.services import companies as company_services

from .factories import (
    AccessCodeFactory,
    CompanyFactory,
    EnrolmentFactory,
    LearnerFactory,
    LessonFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def _body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def company():
    manager = LearnerFactory(first_name="Sophie", last_name="Lefèvre", email="sophie@pme.fr")
    training = LessonFactory(module__training__title="L'IA au bureau").module.training
    return CompanyFactory(name="Boulangerie Dupont", manager=manager, training=training, seats=2)


def _invite(company, email, capture):
    with capture(execute=True):
        return company_services.seat_invite(company=company, email=email, invited_by=company.manager)


def _accept_as(client, seat, user):
    client.force_login(user)
    return client.post(reverse("courses:seat_accept", args=[seat.token]))


# --- Invitations ----------------------------------------------------------------------------------------


def test_invitation_email_carries_a_link_that_opens_the_invitation(
    client, company, smtp_server, django_capture_on_commit_callbacks
):
    seat = _invite(company, "claire.martin@pme.fr", django_capture_on_commit_callbacks)
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "claire.martin@pme.fr"
    assert str(make_header(decode_header(message["Subject"]))) == (
        f"Boulangerie Dupont vous offre la formation «{NBSP}L'IA au bureau{NBSP}»"
    )
    body = _body(message)
    assert "Sophie Lefèvre vous invite, pour Boulangerie Dupont" in body
    link = settings.SITE_URL + reverse("courses:seat_accept", args=[seat.token])
    assert link in body
    assert "claire.martin@pme.fr" in body

    path = (
        re.search(r"https?://\S+/formations/invitation/\S+/", body).group(0).removeprefix(settings.SITE_URL)
    )
    page = client.get(path)
    assert page.status_code == 200
    text = _text(page)
    assert "Boulangerie Dupont vous offre une place" in text and "L'IA au bureau" in text
    # Anonymous: sign in or sign up, and come back here.
    assert f"/compte/login/?next={path.replace('/', '%2F')}" in text
    assert f"/compte/signup/?next={path.replace('/', '%2F')}" in text
    assert "c***@pme.fr" in text


def test_manager_invites_from_the_company_page(
    client, company, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(company.manager)
    url = reverse("courses:company", args=[company.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "invite", "email": " paul@pme.fr "})
    assert response.status_code == 302
    assert Seat.objects.get(company=company).email == "paul@pme.fr"
    assert [m["To"] for m in smtp_server] == ["paul@pme.fr"]
    page = _text(client.get(url))
    assert "Invitation envoyée à paul@pme.fr." in page
    assert "1 place attribuée sur 2." in page and "invitée" in page


def test_an_invalid_address_is_refused_and_kept(client, company, smtp_server):
    client.force_login(company.manager)
    response = client.post(
        reverse("courses:company", args=[company.pk]), {"action": "invite", "email": "paul@"}
    )
    assert response.status_code == 400
    text = _text(response)
    assert "Saisissez une adresse e-mail valide" in text
    assert 'value="paul@"' in text
    assert not Seat.objects.exists()
    with pytest.raises(SeatError) as refusal:
        company_services.seat_invite(company=company, email="pas une adresse", invited_by=company.manager)
    assert refusal.value.code == "invalid_email"
    assert smtp_server == []


def test_no_invitation_once_every_seat_is_given(client, company, django_capture_on_commit_callbacks):
    _invite(company, "a@pme.fr", django_capture_on_commit_callbacks)
    _invite(company, "b@pme.fr", django_capture_on_commit_callbacks)
    with pytest.raises(SeatError) as refusal:
        company_services.seat_invite(company=company, email="c@pme.fr", invited_by=company.manager)
    assert refusal.value.message == "Toutes les places de votre entreprise sont attribuées."

    client.force_login(company.manager)
    url = reverse("courses:company", args=[company.pk])
    assert "Toutes les places de votre entreprise sont attribuées." in _text(client.get(url))
    response = client.post(url, {"action": "invite", "email": "c@pme.fr"})
    assert response.status_code == 409
    assert "Toutes les places de votre entreprise sont attribuées." in _text(response)
    assert 'value="c@pme.fr"' in response.content.decode()
    assert Seat.objects.filter(company=company).count() == 2


def test_an_address_gets_one_seat_only(company, django_capture_on_commit_callbacks):
    _invite(company, "Claire@PME.fr", django_capture_on_commit_callbacks)
    with pytest.raises(SeatError) as refusal:
        company_services.seat_invite(company=company, email="claire@pme.fr", invited_by=company.manager)
    assert (refusal.value.code, refusal.value.message) == ("duplicate", "Cette adresse a déjà une place.")


def test_an_address_already_following_the_training_gets_no_seat(company):
    learner = LearnerFactory(email="leo@pme.fr")
    code = AccessCodeFactory(training=company.training)
    EnrolmentFactory(user=learner, training=company.training, source=Enrolment.Source.CODE, access_code=code)
    with pytest.raises(SeatError) as refusal:
        company_services.seat_invite(company=company, email="LEO@pme.fr", invited_by=company.manager)
    assert refusal.value.message == "Cette adresse a déjà une place."
    # Through another verified address of the same account too.
    EmailAddress.objects.create(user=learner, email="leo.perso@exemple.fr", verified=True)
    with pytest.raises(SeatError):
        company_services.seat_invite(
            company=company, email="leo.perso@exemple.fr", invited_by=company.manager
        )
    assert not Seat.objects.exists()


def test_only_the_manager_invites(company):
    with pytest.raises(SeatError) as refusal:
        company_services.seat_invite(company=company, email="x@pme.fr", invited_by=LearnerFactory())
    assert refusal.value.code == "forbidden"


# --- Accepting ------------------------------------------------------------------------------------------


def test_accepting_with_another_account_is_refused_and_names_the_invited_address(client, company):
    seat = SeatFactory(company=company, email="claire@pme.fr")
    response = _accept_as(client, seat, LearnerFactory(email="claire.perso@exemple.fr"))
    assert response.status_code == 403
    text = _text(response)
    assert (
        f"Cette invitation a été envoyée à l'adresse c***@pme.fr{NBSP}: connectez-vous avec le compte" in text
    )
    assert "claire@pme.fr" not in text
    assert not Enrolment.objects.exists()
    seat.refresh_from_db()
    assert seat.user is None


def test_accepting_needs_the_invited_address_confirmed(client, company):
    seat = SeatFactory(company=company, email="claire@pme.fr")
    user = LearnerFactory(email="claire@pme.fr", verified=False)
    EmailAddress.objects.create(user=user, email="claire@pme.fr", verified=False, primary=True)
    assert _accept_as(client, seat, user).status_code == 403
    assert not Enrolment.objects.exists()


def test_accepting_enrols_the_learner(client, company):
    seat = SeatFactory(company=company, email="Claire@PME.fr")
    user = LearnerFactory(email="claire@pme.fr")
    client.force_login(user)
    page = client.get(reverse("courses:seat_accept", args=[seat.token]))
    assert "Accepter l'invitation" in _text(page)

    response = client.post(reverse("courses:seat_accept", args=[seat.token]))
    assert response.status_code == 302
    assert response["Location"] == company.training.get_absolute_url()
    enrolment = Enrolment.objects.get(user=user, training=company.training)
    assert enrolment.is_active and enrolment.source == Enrolment.Source.SEAT and enrolment.seat == seat
    seat.refresh_from_db()
    assert seat.user == user and seat.accepted_at is not None
    assert has_active_enrolment(user=user, training=company.training)
    # Accepting twice changes nothing.
    assert client.post(reverse("courses:seat_accept", args=[seat.token])).status_code == 302
    assert Enrolment.objects.filter(user=user).count() == 1
    # Someone else cannot take the seat any more.
    other = LearnerFactory(email="x@exemple.fr")
    EmailAddress.objects.create(user=other, email="claire2@pme.fr", verified=True)
    with pytest.raises(SeatError) as refusal:
        company_services.seat_accept(token=seat.token, user=other)
    assert refusal.value.code == "taken"


def test_anonymous_post_goes_to_sign_in_and_unknown_token_is_a_french_404(client, company):
    seat = SeatFactory(company=company)
    url = reverse("courses:seat_accept", args=[seat.token])
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    missing = client.get(reverse("courses:seat_accept", args=["pas-un-jeton"]))
    assert missing.status_code == 404
    assert "Ce lien d'invitation n'est plus valable" in _text(missing)
    client.force_login(LearnerFactory())
    assert client.post(reverse("courses:seat_accept", args=["pas-un-jeton"])).status_code == 404


def test_sign_in_without_next_leads_to_a_waiting_invitation(client, company):
    seat = SeatFactory(company=company, email="nina@pme.fr")
    LearnerFactory(email="nina@pme.fr")
    response = client.post(
        reverse("account_login"), {"login": "nina@pme.fr", "password": "motdepasse-solide-42"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:seat_accept", args=[seat.token])


# --- The manager's page ---------------------------------------------------------------------------------


def test_manager_sees_each_colleague_progress(client, company):
    second = LessonFactory(module__training=company.training)
    learner = LearnerFactory(first_name="Claire", last_name="Martin", email="claire@pme.fr")
    seat = SeatFactory(company=company, email="claire@pme.fr")
    enrolment = company_services.seat_accept(token=seat.token, user=learner)
    LessonCompletion.objects.create(enrolment=enrolment, lesson=second)
    SeatFactory(company=company, email="paul@pme.fr")

    members = company_selectors.company_members(company=company)
    assert [(m.email, m.status, m.learner_name, m.percent, m.has_certificate) for m in members] == [
        ("claire@pme.fr", "active", "Claire Martin", 50, False),
        ("paul@pme.fr", "invited", "", 0, False),
    ]

    client.force_login(company.manager)
    response = client.get(reverse("courses:company", args=[company.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert "Claire Martin" in text and "claire@pme.fr" in text and "paul@pme.fr" in text
    assert '<span class="badge">active</span>' in text and "invitée" in text
    assert f"50{NBSP}%" in text
    assert 'style="width: 50%"' in text
    assert "2 places attribuées sur 2." in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_company_page_is_the_managers_and_the_teams_only(client, company):
    url = reverse("courses:company", args=[company.pk])
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(LearnerFactory())
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "invite", "email": "x@pme.fr"}).status_code == 404
    assert client.get(reverse("courses:company", args=[company.pk + 1000])).status_code == 404
    client.force_login(LearnerFactory(is_staff=True))
    assert client.get(url).status_code == 200
    assert not Seat.objects.exists()


def test_freeing_a_seat_ends_access_and_gives_the_seat_back(
    client, company, smtp_server, django_capture_on_commit_callbacks
):
    learner = LearnerFactory(email="claire@pme.fr")
    seat = _invite(company, "claire@pme.fr", django_capture_on_commit_callbacks)
    enrolment = company_services.seat_accept(token=seat.token, user=learner)
    lesson = company.training.modules.first().lessons.first()
    LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    _invite(company, "paul@pme.fr", django_capture_on_commit_callbacks)

    client.force_login(company.manager)
    url = reverse("courses:company", args=[company.pk])
    confirm = _text(client.get(f"{url}?liberer={seat.pk}"))
    assert f"Libérer la place de claire@pme.fr{NBSP}?" in confirm
    assert "Oui, libérer la place" in confirm
    assert Seat.objects.filter(pk=seat.pk).exists()  # showing the confirmation frees nothing

    response = client.post(url, {"action": "free", "seat": seat.pk})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert not enrolment.is_active and enrolment.seat is None
    assert not has_active_enrolment(user=learner, training=company.training)
    assert LessonCompletion.objects.filter(enrolment=enrolment).exists()  # progress kept
    assert not Seat.objects.filter(pk=seat.pk).exists()
    assert "La place de claire@pme.fr est libérée" in _text(client.get(url))

    # The seat goes to someone else...
    _invite(company, "lea@pme.fr", django_capture_on_commit_callbacks)
    assert Seat.objects.filter(company=company).count() == 2
    # ...or, freed again, back to the same learner, who finds their progress.
    company_services.seat_free(seat=Seat.objects.get(email="lea@pme.fr"), by=company.manager)
    again = _invite(company, "claire@pme.fr", django_capture_on_commit_callbacks)
    back = company_services.seat_accept(token=again.token, user=learner)
    assert back.pk == enrolment.pk and back.is_active and back.seat == again
    assert LessonCompletion.objects.filter(enrolment=back).count() == 1


def test_only_the_manager_frees_a_seat(client, company):
    seat = SeatFactory(company=company)
    with pytest.raises(SeatError) as refusal:
        company_services.seat_free(seat=seat, by=LearnerFactory())
    assert refusal.value.code == "forbidden"
    other_company = CompanyFactory()
    client.force_login(other_company.manager)
    assert (
        client.post(
            reverse("courses:company", args=[company.pk]), {"action": "free", "seat": seat.pk}
        ).status_code
        == 404
    )
    # A manager cannot free another company's seat through their own page either.
    response = client.post(
        reverse("courses:company", args=[other_company.pk]), {"action": "free", "seat": seat.pk}
    )
    assert response.status_code == 302
    assert Seat.objects.filter(pk=seat.pk).exists()


def test_email_mask():
    assert company_selectors.email_mask("claire@pme.fr") == "c***@pme.fr"
    assert company_selectors.email_mask("pas-une-adresse") == "***"


def test_invited_colleague_without_account_signs_up_and_comes_back_to_accept(
    client, company, smtp_server, django_capture_on_commit_callbacks
):
    seat = _invite(company, "Lea.Petit@pme.fr", django_capture_on_commit_callbacks)
    invitation = reverse("courses:seat_accept", args=[seat.token])
    page = _text(client.get(invitation))
    signup_url = re.search(r'href="(/compte/signup/\?next=[^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            signup_url,
            {
                "first_name": "Léa",
                "last_name": "Petit",
                "email": "lea.petit@pme.fr",
                "password1": "Un-Mot-De-Passe-Solide-2026",
                "password2": "Un-Mot-De-Passe-Solide-2026",
                "next": invitation,
            },
        )
    assert response.status_code == 302
    confirmation = smtp_server[-1]
    assert confirmation["To"] == "lea.petit@pme.fr"
    confirm_path = re.search(r"https?://\S+(/compte/confirm-email/\S+/)", _body(confirmation)).group(1)
    # Confirming the address signs the colleague in and brings them back to the invitation.
    confirmed = client.post(confirm_path)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == invitation
    assert "Accepter l'invitation" in _text(client.get(invitation))
    accepted = client.post(invitation)
    assert accepted["Location"] == company.training.get_absolute_url()
    assert Enrolment.objects.get(seat=seat).user.get_full_name() == "Léa Petit"


def test_signed_in_with_another_account_can_switch(client, company):
    seat = SeatFactory(company=company, email="claire@pme.fr")
    client.force_login(LearnerFactory(email="autre@exemple.fr"))
    invitation = reverse("courses:seat_accept", args=[seat.token])
    page = _text(client.get(invitation))
    assert "Me connecter avec un autre compte" in page
    assert "Accepter l'invitation" not in page
    response = client.post(
        reverse("account_logout"), {"next": f"{reverse('account_login')}?next={invitation}"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={invitation}"
    assert "_auth_user_id" not in client.session


def test_invitations_and_freed_seats_are_rate_limited(client, company, monkeypatch):
    from frenchbot.courses.views import companies as views_companies

    monkeypatch.setattr(views_companies, "COMPANY_WRITE_RATE_LIMIT", 1)
    client.force_login(company.manager)
    url = reverse("courses:company", args=[company.pk])
    assert client.post(url, {"action": "invite", "email": "a@pme.fr"}).status_code == 302
    response = client.post(url, {"action": "invite", "email": "b@pme.fr"})
    assert response.status_code == 429
    assert 'value="b@pme.fr"' in response.content.decode()
    assert list(Seat.objects.values_list("email", flat=True)) == ["a@pme.fr"]
    freeing = client.post(url, {"action": "free", "seat": Seat.objects.get().pk})
    assert freeing.status_code == 429
    assert "Patientez quelques minutes" in _text(freeing)
    assert Seat.objects.exists()
