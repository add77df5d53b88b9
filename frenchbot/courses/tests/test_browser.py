"""A learner in a real browser: sign-up (e-mail over SMTP) → code → lesson → quiz → exercise → certificate PDF →
public verification; and the trainings' pages pass axe."""

import decimal
import io
import re

import pytest
from django.utils import translation

from frenchbot.accounts.tests.helpers import body, subject
from frenchbot.courses.certificates_pdf import certificate_date_text
from frenchbot.courses.models import AccessCode, Certificate, Enrolment

from .factories import (
    AccessCodeFactory,
    LearnerFactory,
    LessonFactory,
    ModuleFactory,
    PromptExerciseFactory,
    QuizChoiceFactory,
    QuizFactory,
    QuizQuestionFactory,
    RubricCriterionFactory,
    TrainingFactory,
)

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Écrire de bons prompts au travail"
LESSON = "Donner un rôle à l'IA"
QUIZ = "Quiz : le rôle et la vérification"
EXERCISE = "Répondre à un client mécontent"
# Stored as the team types it in the admin; learners type it however they read it.
CODE = "ABCD-EF23-GH"
Q1 = "Que donner à l'IA pour qu'elle adopte le bon point de vue ?"
Q2 = "Que faire avant d'envoyer à un client une réponse écrite par l'IA ?"
PASSWORD = "Un-Mot-De-Passe-Solide-2026"
GOOD_PROMPT = (
    "Tu es un conseiller clientèle attentionné. Rédige une réponse polie à ce client mécontent "
    "de son retard de livraison, sous forme de liste de trois points."
)


@pytest.fixture
def training(settings, live_server):
    """One module: a lesson, a quiz of two questions and a prompt exercise of two criteria, all required."""
    # Links in e-mails and on the certificate point at the site the browser is using.
    settings.SITE_URL = live_server.url
    # No model comments on the prompt: the rubric alone decides, as it always does.
    settings.COURSES_EXERCISE_AI_FEEDBACK = False
    training = TrainingFactory(slug="bons-prompts", title=TITLE, duration_hours=decimal.Decimal("3.5"))
    module = ModuleFactory(training=training, title="Bien demander", order=1)
    LessonFactory(module=module, title=LESSON, slug="donner-un-role", order=1, minutes=5)
    quiz = QuizFactory(module=module, title=QUIZ, order=2, pass_mark=100, max_attempts=3)
    for order, (text, right, wrong, explanation) in enumerate(
        [
            (Q1, "Un rôle", "Un mot de passe", "Un rôle (« Tu es juriste… ») cadre le vocabulaire et le ton."),
            (Q2, "Vérifier les faits et les chiffres", "Rien : l'IA ne se trompe pas",
             "L'IA peut inventer un chiffre ou une date : relisez toujours."),
        ]
    ):  # fmt: skip
        question = QuizQuestionFactory(quiz=quiz, text=text, explanation=explanation, order=order)
        QuizChoiceFactory(question=question, text=right, is_correct=True, order=1)
        QuizChoiceFactory(question=question, text=wrong, is_correct=False, order=2)
    exercise = PromptExerciseFactory(module=module, title=EXERCISE, order=3)
    RubricCriterionFactory(exercise=exercise, order=1)  # gives the AI a role
    RubricCriterionFactory(
        exercise=exercise,
        order=2,
        label="Précise le format attendu",
        rule="has_format",
        values="",
        feedback_ok="Vous précisez le format de la réponse.",
        feedback_missing="Précisez le format : une liste, cinq lignes…",
    )
    AccessCodeFactory(training=training, code=CODE, max_uses=5)
    return training


def _go(page, click) -> None:
    with page.expect_navigation():
        click()


def _h1(page):
    return page.get_by_role("heading", level=1)


def _answer(page, question: str, choice: str) -> None:
    # The label, as a person clicks it.
    page.get_by_role("group", name=question).locator("label").filter(has_text=choice).click()
    expect(page.get_by_role("radio", name=choice)).to_be_checked()


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def _sign_up(page, smtp_server, *, email: str) -> None:
    page.goto("/compte/signup/")
    page.get_by_label("Prénom").fill("Élodie")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Brochard-Lefèvre")
    page.get_by_label("Adresse e-mail").fill(email)
    # The labels end with a « * » hidden from screen readers.
    page.get_by_label(re.compile(r"^Mot de passe\W*$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Mot de passe \(confirmation\)")).fill(PASSWORD)
    _go(page, page.get_by_role("button", name="Créer mon compte").click)
    expect(_h1(page)).to_have_text("Confirmez votre adresse e-mail")
    expect(page.get_by_text("nous vous avons envoyé un e-mail avec un lien de confirmation")).to_be_visible()

    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == email
    assert subject(message) == "[The French Bot] Confirmez votre adresse e-mail"
    links = [url for url in re.findall(r"https?://\S+", body(message)) if "/compte/confirm-email/" in url]
    assert links and links[0].startswith(page.url.split("/compte/")[0]), body(message)
    page.goto(links[0])
    expect(page.get_by_text(email)).to_be_visible()
    _go(page, page.get_by_role("button", name="Confirmer mon adresse").click)
    # Same browser as the sign-up: signed in at once, on « Mes formations ».
    expect(_h1(page)).to_have_text("Mes formations")


def test_a_learner_from_sign_up_to_a_verified_certificate(_browser, page, training, smtp_server):
    email = "elodie.brochard@exemple.fr"
    _sign_up(page, smtp_server, email=email)

    # The code as people type it: lower case, spaces where the dashes were.
    page.goto("/formations/code/")
    page.get_by_label("Code d'accès").fill(" abcd ef23 gh ")
    _go(page, page.get_by_role("button", name="Valider mon code").click)
    expect(page.get_by_text(f"Bienvenue dans la formation « {TITLE} »")).to_be_visible()
    expect(_h1(page)).to_have_text(LESSON)
    enrolment = Enrolment.objects.get()
    assert (enrolment.user.email, enrolment.source) == (email, Enrolment.Source.CODE)
    assert AccessCode.objects.get().uses == 1

    # The lesson, read and marked as done: on to the quiz.
    expect(page.get_by_text("Donnez un rôle à l'assistant")).to_be_visible()
    _go(page, page.get_by_role("button", name="Marquer comme terminée").click)
    expect(page.get_by_text(f"Leçon « {LESSON} » terminée.")).to_be_visible()
    expect(_h1(page)).to_have_text(QUIZ)

    # Wrong answers: failed, with the correction, the explanations and the attempts left.
    _answer(page, Q1, "Un mot de passe")
    _answer(page, Q2, "Rien : l'IA ne se trompe pas")
    _go(page, page.get_by_role("button", name="Valider mes réponses").click)
    result = page.locator("#resultat")
    expect(result.get_by_role("heading", level=2)).to_have_text("Votre résultat (tentative 1)")
    expect(result.get_by_text("0 % (bonnes réponses : 0 sur 2)")).to_be_visible()
    expect(result.get_by_text("Quiz pas encore réussi")).to_be_visible()
    expect(result.get_by_text("Réponse incorrecte")).to_have_count(2)
    expect(result.get_by_text("cadre le vocabulaire et le ton")).to_be_visible()
    expect(result.get_by_text("relisez toujours")).to_be_visible()
    expect(result.get_by_text("Il vous reste 2 tentatives.")).to_be_visible()

    _go(page, page.get_by_role("link", name="Réessayer").click)
    _answer(page, Q1, "Un rôle")
    _answer(page, Q2, "Vérifier les faits et les chiffres")
    _go(page, page.get_by_role("button", name="Valider mes réponses").click)
    expect(result.get_by_role("heading", level=2)).to_have_text("Votre résultat (tentative 2)")
    expect(result.get_by_text("100 % (bonnes réponses : 2 sur 2)")).to_be_visible()
    expect(result.get_by_text("Quiz réussi : bravo !")).to_be_visible()
    _go(page, page.get_by_role("link", name="Continuer la formation").click)

    # The exercise: a prompt that gives a role and a format meets both criteria.
    expect(_h1(page)).to_have_text(EXERCISE)
    page.get_by_label("Votre prompt").fill(GOOD_PROMPT)
    _go(page, page.get_by_role("button", name="Vérifier mon prompt").click)
    result = page.locator("#resultat")
    expect(result.get_by_text("Exercice réussi (critères remplis : 2 sur 2).")).to_be_visible()
    expect(result.locator(".rubric-result--met")).to_have_count(2)
    expect(result.get_by_text("Vous donnez un rôle à l'IA.")).to_be_visible()
    expect(result.get_by_text("Vous précisez le format de la réponse.")).to_be_visible()
    assert page.get_by_label("Votre prompt").input_value() == GOOD_PROMPT

    # Every required step done: « Continuer » leads to the progress page, and from there to the certificate.
    _go(page, page.get_by_role("link", name="Continuer la formation").click)
    expect(_h1(page)).to_have_text("Votre progression")
    expect(page.get_by_text("100 % terminé : 3 étapes sur 3.")).to_be_visible()
    _go(page, page.get_by_role("link", name="Voir votre certificat").click)
    expect(_h1(page)).to_have_text("Félicitations !")
    certificate = Certificate.objects.get()
    card = page.locator(".certificate__card")
    expect(card).to_contain_text("Élodie Brochard-Lefèvre")
    expect(card).to_contain_text(TITLE)
    expect(card).to_contain_text("3,5 heures")
    expect(card).to_contain_text(certificate.code)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le certificat (PDF)").click()
    assert download.value.suggested_filename == "certificat-bons-prompts.pdf"
    with open(download.value.path(), "rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "Élodie Brochard-Lefèvre" in text and TITLE in text, text

    # The certificate also came by e-mail, over SMTP, with the PDF attached.
    # French typography: a no-break space before the colon.
    mail = next(m for m in smtp_server if subject(m) == f"Votre certificat\u00a0: {TITLE}")
    assert mail["To"] == email
    assert any(part.get_content_type() == "application/pdf" for part in mail.walk())

    # The public page, from the link shown on the certificate page, opened by someone not signed in.
    verify_url = page.get_by_label("Lien de vérification").input_value()
    assert verify_url.endswith(f"/certificats/{certificate.code}/")
    stranger = _browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    try:
        public = stranger.new_page()
        response = public.goto(verify_url)
        assert response.status == 200
        expect(public.get_by_role("status")).to_have_text("Ce certificat est authentique et valable.")
        facts = public.locator("dl.certificate__card")
        for shown in ("Élodie Brochard-Lefèvre", TITLE, "3,5 heures", certificate.code):
            expect(facts).to_contain_text(shown)
        with translation.override("fr"):
            expect(facts).to_contain_text(certificate_date_text(certificate.issued_on))
        assert email not in public.content()
        assert "elodie.brochard" not in public.content()

        response = public.goto(verify_url.replace(certificate.code, "XXXX"))
        assert response.status == 404
        expect(public.get_by_role("alert")).to_have_text("Aucun certificat ne porte le code « XXXX ».")
    finally:
        stranger.close()


def test_training_pages_pass_axe(axe_page, training):
    page = axe_page
    learner = LearnerFactory(email="claire@exemple.fr", first_name="Claire", last_name="Martin")
    problems = {}

    def check(name: str) -> None:
        problems[name] = page.violations()

    page.goto("/formations/")
    check("catalogue")
    page.goto(training.get_absolute_url())
    check("training")
    page.goto("/compte/signup/")
    check("sign-up")
    _go(page, page.get_by_role("button", name="Créer mon compte").click)
    check("sign-up with errors")
    page.goto("/compte/login/")
    check("login")
    page.get_by_label("Adresse e-mail").fill(learner.email)
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    _go(page, page.get_by_role("button", name="Se connecter").click)
    expect(_h1(page)).to_have_text("Mes formations")
    check("dashboard, empty")

    page.goto("/formations/code/")
    page.get_by_label("Code d'accès").fill("ZZZZ-ZZZZ-ZZ")
    _go(page, page.get_by_role("button", name="Valider mon code").click)
    expect(page.get_by_text("Ce code d'accès est inconnu.")).to_be_visible()
    check("code form with an error")
    page.get_by_label("Code d'accès").fill(CODE)
    _go(page, page.get_by_role("button", name="Valider mon code").click)
    expect(_h1(page)).to_have_text(LESSON)
    check("lesson")
    _go(page, page.get_by_role("button", name="Marquer comme terminée").click)
    check("quiz form")
    _go(page, page.get_by_role("button", name="Valider mes réponses").click)
    check("quiz form with errors")
    _answer(page, Q1, "Un mot de passe")
    _answer(page, Q2, "Vérifier les faits et les chiffres")
    _go(page, page.get_by_role("button", name="Valider mes réponses").click)
    check("quiz result, failed")
    _go(page, page.get_by_role("link", name="Réessayer").click)
    _answer(page, Q1, "Un rôle")
    _answer(page, Q2, "Vérifier les faits et les chiffres")
    _go(page, page.get_by_role("button", name="Valider mes réponses").click)
    check("quiz result, passed")
    _go(page, page.get_by_role("link", name="Continuer la formation").click)
    check("exercise form")
    page.get_by_label("Votre prompt").fill("Réponds au client.")
    _go(page, page.get_by_role("button", name="Vérifier mon prompt").click)
    check("exercise result, not passed")
    page.get_by_label("Votre prompt").fill(GOOD_PROMPT)
    _go(page, page.get_by_role("button", name="Vérifier mon prompt").click)
    expect(page.get_by_text("Exercice réussi")).to_be_visible()
    check("exercise result, passed, with history")
    _go(page, page.get_by_role("link", name="Continuer la formation").click)
    expect(_h1(page)).to_have_text("Votre progression")
    check("progress")
    _go(page, page.get_by_role("link", name="Voir votre certificat").click)
    check("certificate")
    _go(page, page.get_by_role("link", name="Voir la page de vérification").click)
    expect(page.get_by_role("status")).to_have_text("Ce certificat est authentique et valable.")
    check("verification")
    page.goto("/certificats/XXXX/")
    check("verification, unknown code")
    page.goto("/formations/mes-formations/")
    check("dashboard")
    page.goto("/compte/profil/")
    check("profile")
    assert {name: found for name, found in problems.items() if found} == {}
