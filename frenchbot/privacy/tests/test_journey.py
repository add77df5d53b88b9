"""The issue's proof, end to end: a person who did everything the site offers takes their archive, then erases
their data from « Mes données »; afterwards no table holds their e-mail, name or IP fingerprint but where the
rules keep it, the certificate still verifies publicly without their name, and another person's rows are whole.

Each person lives their journey through what a visitor triggers: the bot's page and the booking API with a real
client, the apps' services for the forms (their views only add a form guard around the same call); the catalogue
(an article, a questionnaire, a training, an event, a guide…) is made with the apps' factories, as the team would
make it in the admin. What each action queues for after the commit (e-mails, tasks) runs, as in production.
"""

import datetime
import io
import json
import zipfile
from dataclasses import dataclass
from email.header import decode_header, make_header

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frenchbot.assistant.models import Conversation, Feedback, Message
from frenchbot.assistant.services import feedback_give
from frenchbot.audits.models import Option, Question, Questionnaire, Track
from frenchbot.audits.services import audit_submit
from frenchbot.blog.services import comment_create, poll_vote
from frenchbot.blog.tests.factories import ArticleFactory, PollFactory
from frenchbot.booking.models import Booking
from frenchbot.booking.tests.factories import EventTypeFactory, StaffUserFactory, TeamMemberFactory, every_day
from frenchbot.core.models import RateCounter
from frenchbot.core.net import ip_fingerprint
from frenchbot.courses.models import Certificate
from frenchbot.courses.services.assessments import quiz_submit
from frenchbot.courses.services.enrolment import enrolment_by_code
from frenchbot.courses.services.progress import lesson_complete
from frenchbot.courses.tests.factories import (
    AccessCodeFactory,
    LearnerFactory,
    LessonFactory,
    ModuleFactory,
    QuizChoiceFactory,
    QuizFactory,
    QuizQuestionFactory,
    TrainingFactory,
)
from frenchbot.events.models import Registration
from frenchbot.events.services.registrations import registration_create
from frenchbot.events.tests.factories import EventFactory
from frenchbot.leads.services import contact_submit
from frenchbot.newsletter.services.subscriptions import subscription_confirm, subscription_request
from frenchbot.newsletter.tests.factories import MailingListFactory
from frenchbot.privacy.models import PrivacyRequest
from frenchbot.privacy.registry import declaration_for
from frenchbot.resources.services.guides import guide_request_create
from frenchbot.resources.services.prompts import prompt_favourite_toggle
from frenchbot.resources.tests.factories import GuideFactory, PromptFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    email: str
    company: str
    comment: str
    # Home and office: every row that keeps a fingerprint keeps one of these two.
    ips: tuple[str, str]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def fingerprints(self) -> tuple[str, ...]:
        return tuple(ip_fingerprint(ip) for ip in self.ips)

    def needles(self) -> dict[str, str]:
        """What must be nowhere once erased, each with what it is (said in a failure)."""
        found = {self.email: "e-mail", self.last_name: "nom", self.company: "entreprise"}
        for ip, fingerprint in zip(self.ips, self.fingerprints, strict=True):
            found[fingerprint] = f"empreinte de {ip}"
            found[ip] = "adresse IP en clair"
        return found


ADA = Person(
    username="ada",
    first_name="Ada",
    last_name="Lovelace",
    email="ada.lovelace@exemple.fr",
    company="Machines Analytiques SARL",
    comment="Le passage sur le rôle m'a aidée à écrire mes premiers prompts.",
    ips=("203.0.113.41", "198.51.100.42"),
)
GRACE = Person(
    username="grace",
    first_name="Grace",
    last_name="Hopper",
    email="grace.hopper@exemple.fr",
    company="Compilateurs Hopper SAS",
    comment="Très clair. Et pour les tableaux, que conseillez-vous ?",
    ips=("203.0.113.77", "198.51.100.78"),
)

CONSENT = "J'accepte que The French Bot conserve ces informations et me recontacte à ce sujet."


# --- The catalogue, as the team made it ------------------------------------------------------------------------


@pytest.fixture
def world():
    article = ArticleFactory(title="Écrire un bon prompt", slug="ecrire-un-bon-prompt")
    questionnaire = Questionnaire.objects.create(
        track=Track.INDIVIDUAL, title="Audit IA", intro="Dix minutes."
    )
    answers = {}
    for order, (dimension, text) in enumerate(
        (("usage", "Utilisez-vous ChatGPT au travail ?"), ("data", "Vos données sont-elles rangées ?")), 1
    ):
        question = Question.objects.create(
            questionnaire=questionnaire, dimension=dimension, text=text, order=order, weight=1
        )
        Option.objects.create(question=question, text="Jamais", score=0, order=1)
        answers[question.pk] = Option.objects.create(question=question, text="Souvent", score=4, order=2).pk
    member = TeamMemberFactory(
        display_name="Camille Laurent", user=StaffUserFactory(username="camille"), hours=every_day()
    )
    training = TrainingFactory(title="Prompter comme un pro", slug="prompter-comme-un-pro")
    module = ModuleFactory(training=training)
    quiz = QuizFactory(module=module, title="Quiz : le rôle")
    question = QuizQuestionFactory(quiz=quiz, text="Que donner à l'IA d'abord ?")
    return {
        "article": article,
        "poll": PollFactory(article=article),
        "questionnaire": questionnaire,
        "audit_answers": answers,
        "event_type": EventTypeFactory(
            members=[member], name="Appel d'audit offert", slug="appel-audit-offert"
        ),
        "training": training,
        "lesson": LessonFactory(module=module, title="Donner un rôle"),
        "quiz": quiz,
        "quiz_answer": {
            str(question.pk): [QuizChoiceFactory(question=question, text="Un rôle", is_correct=True).pk]
        },
        "wrong_choice": QuizChoiceFactory(question=question, text="Rien"),
        "list": MailingListFactory(slug="actualites", name="Actualités de l'IA"),
        "event": EventFactory(title="Webinaire ChatGPT au bureau", slug="webinaire-chatgpt-au-bureau"),
        "guide": GuideFactory(is_gated=True, title="Le guide de l'IA en PME", slug="guide-ia-pme"),
        "prompt": PromptFactory(title="Répondre à une réclamation"),
    }


# --- A life on the site -----------------------------------------------------------------------------------------


def _live(client, person: Person, world, *, slot: int) -> dict:
    """Everything a visitor can do, by `person` from their two addresses; what each left, to look for later."""
    home, office = person.ips
    user = LearnerFactory(
        username=person.username, first_name=person.first_name, last_name=person.last_name, email=person.email
    )
    client.force_login(user)
    did = {"user": user}

    # Signed in, a question to the bot on its page (no JavaScript: the form posts, the answer comes back), and
    # a verdict on the answer.
    question = f"Bonjour, je suis {person.name} : combien coûte une formation à ChatGPT ?"
    response = client.post("/assistant/", {"content": question}, REMOTE_ADDR=home)
    assert response.status_code == 302, response.content.decode()[:500]
    conversation = Conversation.objects.get(user=user)
    answer = conversation.messages.get(role=Message.Role.ASSISTANT)
    feedback_give(message=answer, rating=Feedback.Rating.UP, comment=f"Merci ! {person.name}")
    did["question"] = question

    # A comment under the article, and a vote in its poll from the same connection.
    comment_create(
        article=world["article"],
        name=person.name,
        email=person.email,
        body=person.comment,
        ip=home,
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    )
    option = world["poll"].options.order_by("position").first()
    poll_vote(poll=world["poll"], option_id=option.pk, voter_id=f"navigateur-{person.username}", ip=home)

    # The free audit with the address, then the call booked through the API with the report joined.
    audit = audit_submit(
        questionnaire=world["questionnaire"],
        answers=world["audit_answers"],
        email=person.email,
        consent=True,
        consent_text=CONSENT,
        ip=office,
    )
    did["audit"] = audit
    event_type = world["event_type"]
    start = timezone.localdate() + datetime.timedelta(days=2)
    slots = client.get(
        "/api/booking/slots",
        {
            "event_type": event_type.slug,
            "start": start.isoformat(),
            "end": (start + datetime.timedelta(days=2)).isoformat(),
            "tz": "Europe/Paris",
        },
    ).json()
    response = client.post(
        "/api/booking/bookings",
        data=json.dumps(
            {
                "event_type": event_type.slug,
                "start": slots[slot]["start"],
                "name": person.name,
                "email": person.email,
                "company": person.company,
                "message": "Automatiser nos devis avec l'IA.",
                "consent": True,
                "consent_text": CONSENT,
                "audit": str(audit.pk),
            }
        ),
        content_type="application/json",
        REMOTE_ADDR=office,
    )
    assert response.status_code == 201, response.content.decode()
    did["booking"] = Booking.objects.get(public_id=response.json()["id"])

    # The training opened by an access code: the lesson done, the quiz passed, the certificate issued.
    enrolment = enrolment_by_code(user=user, code=AccessCodeFactory(training=world["training"]).code)
    lesson_complete(enrolment=enrolment, lesson=world["lesson"])
    attempt = quiz_submit(enrolment=enrolment, quiz=world["quiz"], answers=world["quiz_answer"])
    assert attempt.passed
    did["certificate"] = Certificate.objects.get(enrolment=enrolment)
    assert did["certificate"].learner_name == person.name
    prompt_favourite_toggle(user=user, prompt=world["prompt"])

    # The newsletter (double opt-in: asked, then confirmed by the link), the webinar to come, the gated guide.
    subscriber = subscription_request(
        email=person.email,
        list_slugs=[world["list"].slug],
        consent=True,
        consent_text=CONSENT,
        origin="page",
        ip=home,
    )
    subscription_confirm(subscriber=subscriber)
    did["registration"] = registration_create(
        event=world["event"],
        name=person.name,
        email=person.email,
        company=person.company,
        consent=True,
        consent_text=CONSENT,
        ip=office,
    )
    assert did["registration"].status == Registration.Status.CONFIRMED
    guide_request_create(
        guide=world["guide"],
        email=person.email,
        name=person.name,
        consent=True,
        consent_text=CONSENT,
        ip=office,
    )

    # And a message through the contact form.
    did["contact"] = f"Bonjour, je voudrais former l'équipe de {person.company} à ChatGPT."
    contact_submit(
        name=person.name,
        email=person.email,
        company=person.company,
        subject="formation-equipe",
        message=did["contact"],
        consent=True,
        consent_text=CONSENT,
        ip=home,
    )
    return did


# --- Looking through every table --------------------------------------------------------------------------------


def _mentions(needles: dict[str, str]) -> set[tuple[str, object, str]]:
    """Every (« app.Model.field », pk, needle) where a text or JSON column contains a needle, case ignored."""
    found = set()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                rows = model._base_manager.annotate(_text=Cast(field.name, models.TextField()))
                column = "_text"
            elif isinstance(field, (models.CharField, models.TextField)):
                rows = model._base_manager.all()
                column = field.name
            else:
                continue
            query = models.Q()
            for needle in needles:
                query |= models.Q(**{f"{column}__icontains": needle})
            for pk, value in rows.filter(query).values_list("pk", column):
                text = str(value).casefold()
                for needle in needles:
                    if needle.casefold() in text:
                        found.add((f"{model._meta.label}.{field.name}", pk, needle))
    return found


def _kept_by_the_rules(hit, *, person: Person, now) -> bool:
    """The hits an erasure leaves on purpose. Ideally none; each one here is said and bounded."""
    where, pk, needle = hit
    if where == "core.RateCounter.key" and needle in person.fingerprints:
        # The abuse counters of the current window (comments, bookings, sign-ups… per address): the key is
        # « rl:<scope>:<fingerprint>:<window> », it ties to no row once the person's are gone, and it expires with
        # its window (an hour at most), pruned by the periodic job. Bounded: one still alive after that is a leak.
        counter = RateCounter.objects.get(pk=pk)
        return counter.expires_at <= now + datetime.timedelta(hours=1, minutes=1)
    return False


def _describe(hits, needles) -> str:
    return "\n".join(
        f"{where}#{pk} contient {needles[needle]} « {needle} »" for where, pk, needle in sorted(hits, key=str)
    )


# --- The archive -----------------------------------------------------------------------------------------------


def _rows(data: dict, model_label: str) -> list[dict]:
    """The rows the archive gives for one declaration (its app's section, under the declaration's label)."""
    declaration = declaration_for(model_label)
    app = data["donnees"].get(declaration.app_label)
    assert app is not None, f"no section {declaration.app_label!r} in the archive: {sorted(data['donnees'])}"
    rows = app["contenu"].get(str(declaration.label))
    assert rows, (
        f"no {declaration.label!r} in the {declaration.app_label!r} section: {sorted(app['contenu'])}"
    )
    return rows


def _holds(rows: list[dict], value) -> bool:
    return any(value in json.dumps(row, ensure_ascii=False, default=str) for row in rows)


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


# --- The proof ---------------------------------------------------------------------------------------------------


def test_a_person_who_did_everything_gets_it_all_then_leaves_nothing_but_what_the_rules_keep(
    world, smtp_server, django_capture_on_commit_callbacks
):
    ada_client, grace_client = Client(), Client()
    # What each action queues for after the commit (e-mails, the report, the certificate) runs, as in production.
    with django_capture_on_commit_callbacks(execute=True):
        grace = _live(grace_client, GRACE, world, slot=1)
        ada = _live(ada_client, ADA, world, slot=0)
    # Each person appears, under every needle, before anything is erased: the search below can fail.
    for person in (ADA, GRACE):
        seen = {needle for _where, _pk, needle in _mentions(person.needles())}
        assert seen == set(person.needles()) - set(person.ips), person.needles().keys() - seen
    graces_rows = _mentions(GRACE.needles())

    # 1. The archive, taken from « Mes données » while signed in.
    response = ada_client.post(reverse("privacy:mine_archive"), REMOTE_ADDR=ADA.ips[0])
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("donnees.json"))
    certificate = ada["certificate"]
    expected = {
        "blog.Comment": ADA.comment,
        "blog.PollVote": world["poll"].question,
        "assistant.Message": ada["question"],
        "assistant.Conversation": ada["question"][:200],
        "audits.Audit": ADA.email,
        "booking.Booking": ada["booking"].start.isoformat(),
        "courses.Enrolment": world["training"].title,
        "courses.LessonCompletion": str(world["lesson"]),
        "courses.QuizAttempt": "Que donner à l'IA d'abord ?",
        "courses.Certificate": certificate.code,
        "resources.PromptFavourite": world["prompt"].title,
        "newsletter.Subscriber": "Actualités de l'IA",
        "events.Registration": world["event"].title,
        "resources.GuideRequest": world["guide"].title,
        "leads.LeadEvent": ada["contact"],
        "leads.Lead": ADA.company,
        get_user_model()._meta.label: ADA.email,
    }
    for model_label, value in expected.items():
        assert _holds(_rows(data, model_label), value), f"{model_label}: {value!r} not in the archive"
    # The booking is the one to come.
    assert _holds(_rows(data, "booking.Booking"), "Confirmé")
    names = set(archive.namelist())
    assert f"fichiers/formations/certificat-{certificate.code}.pdf" in names, names
    assert archive.read(f"fichiers/formations/certificat-{certificate.code}.pdf").startswith(b"%PDF")
    assert any(name.startswith("fichiers/audit/rapport-") and name.endswith(".pdf") for name in names), names
    # Nothing of the other person.
    assert GRACE.last_name not in archive.read("donnees.json").decode()
    assert GRACE.last_name not in archive.read("donnees.html").decode()

    # 2. The erasure, confirmed on its page; the cancellations leave once committed.
    sent_before = len(smtp_server)
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_client.post(reverse("privacy:mine_erase"), {"confirm": "on"}, REMOTE_ADDR=ADA.ips[0])
    assert response.status_code == 200
    assert "Vos données sont effacées" in response.content.decode()
    erasure = PrivacyRequest.objects.get(right=PrivacyRequest.Right.ERASURE)
    assert erasure.status == PrivacyRequest.Status.DONE, erasure.steps
    assert not [step for step in erasure.steps if step["outcome"] != "done"], erasure.steps
    # Signed out: the account is gone.
    assert ada_client.get(reverse("privacy:mine")).status_code == 302

    # The call and the webinar still to come were cancelled, and the person was told of both.
    to_ada = [m for m in smtp_server[sent_before:] if m["To"] == ADA.email]
    subjects = sorted(_subject(m) for m in to_ada)
    assert subjects == [
        f"Inscription annulée\u00a0: {world['event'].title}",
        "Rendez-vous annulé\u00a0: Appel d'audit offert",
    ], subjects
    assert Booking.objects.get(pk=ada["booking"].pk).status == Booking.Status.CANCELLED
    assert Registration.objects.get(pk=ada["registration"].pk).status == Registration.Status.CANCELLED
    # Nobody else was written to (the team member hears of the call; no one waited for the webinar).
    assert {m["To"] for m in smtp_server[sent_before:]} <= {ADA.email, "camille@thefrenchbot.fr"}

    # 3. Every text column of every table, searched for the e-mail, the name, the company and the fingerprints.
    now = timezone.now()
    left = {hit for hit in _mentions(ADA.needles()) if not _kept_by_the_rules(hit, person=ADA, now=now)}
    assert not left, "L'effacement a laissé :\n" + _describe(left, ADA.needles())

    # 4. The certificate still proves the training to whoever holds its code, without the name.
    page = Client().get(f"/certificats/{certificate.code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ce certificat est authentique et valable." in text
    assert world["training"].title in text and certificate.code in text
    assert ADA.last_name not in text and ADA.name not in text

    # 5. The other person's rows are all there, with their name and address.
    assert _mentions(GRACE.needles()) == graces_rows
    assert Certificate.objects.get(pk=grace["certificate"].pk).learner_name == GRACE.name
    booking = Booking.objects.get(pk=grace["booking"].pk)
    assert (booking.status, booking.name, booking.email) == (
        Booking.Status.CONFIRMED,
        GRACE.name,
        GRACE.email,
    )
    registration = Registration.objects.get(pk=grace["registration"].pk)
    assert (registration.status, registration.email) == (Registration.Status.CONFIRMED, GRACE.email)
    assert Conversation.objects.filter(user=grace["user"]).exists()


def test_a_question_asked_to_the_bot_before_signing_in_is_erased_with_the_rest(
    django_capture_on_commit_callbacks,
):
    """The bot keeps a visitor's conversation with their browser session; signing in gives the browser a new
    session key (Django cycles it against session fixation), so the conversation asked just before is no longer
    the session's. It is still the person's: their words and the fingerprint of the address they asked from."""
    home = ADA.ips[0]
    client = Client()
    question = f"Bonjour, je suis {ADA.name} : proposez-vous des formations pour les particuliers ?"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/assistant/", {"content": question}, REMOTE_ADDR=home)
        assert response.status_code == 302
        # From the same connection, a message through the contact form: its consent keeps the fingerprint.
        contact_submit(
            name=ADA.name,
            email=ADA.email,
            company=ADA.company,
            subject="formation-individuelle",
            message="Je préfère qu'on m'appelle.",
            consent=True,
            consent_text=CONSENT,
            ip=home,
        )
    asked = Conversation.objects.get(user=None)
    assert asked.ip_hash == ip_fingerprint(home) and asked.session_key
    user = LearnerFactory(
        username=ADA.username, first_name=ADA.first_name, last_name=ADA.last_name, email=ADA.email
    )
    client.force_login(user)
    assert client.session.session_key != asked.session_key

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:mine_erase"), {"confirm": "on"}, REMOTE_ADDR=home)
    assert response.status_code == 200
    assert PrivacyRequest.objects.get(right=PrivacyRequest.Right.ERASURE).status == PrivacyRequest.Status.DONE

    now = timezone.now()
    left = {hit for hit in _mentions(ADA.needles()) if not _kept_by_the_rules(hit, person=ADA, now=now)}
    assert not left, "L'effacement a laissé :\n" + _describe(left, ADA.needles())
