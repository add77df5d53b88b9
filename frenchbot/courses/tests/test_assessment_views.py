"""The quiz and exercise pages: who may open them, the form without JavaScript, results, errors, limits."""

import html as html_lib
import re

import pytest
from django.test import Client
from django.urls import reverse

from frenchbot.courses.models import ExerciseSubmission, QuizAttempt

from .factories import (
    EnrolmentFactory,
    LearnerFactory,
    ModuleFactory,
    QuizFactory,
    TrainingFactory,
)
from .test_assessments import (
    ROLE,
    build_exercise,
    build_quiz,
    closed_port,
    right_answers,
    use_openai_compatible,
    wrong_answers,
)

pytestmark = pytest.mark.django_db

DENIED = "Cet exercice est réservé aux personnes inscrites à la formation."


@pytest.fixture
def enrolment():
    return EnrolmentFactory()


@pytest.fixture
def learner(client, enrolment):
    client.force_login(enrolment.user)
    return client


def form_data(answers: dict) -> dict:
    return {f"q{qid}": [str(i) for i in ids] for qid, ids in answers.items()}


def shown(html: str) -> str:
    """The page as read (entities decoded), to look for sentences with apostrophes."""
    return html_lib.unescape(html)


def checked_ids(html: str) -> set[int]:
    return {int(v) for v in re.findall(r'value="(\d+)" checked', html)}


# ---------------------------------------------------------------------------------------------------------------
# Who may open the pages


def test_urls_are_french(enrolment):
    quiz, _ = build_quiz(enrolment.training)
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    slug = enrolment.training.slug
    assert quiz.get_absolute_url() == f"/formations/{slug}/quiz/{quiz.pk}/"
    assert exercise.get_absolute_url() == f"/formations/{slug}/exercices/{exercise.pk}/"


def test_anonymous_visitors_are_sent_to_sign_in(client, enrolment):
    quiz, layout = build_quiz(enrolment.training)
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    for url in (quiz.get_absolute_url(), exercise.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
        assert f"next={url}" in response.url.replace("%2F", "/")
    response = client.post(quiz.get_absolute_url(), form_data(right_answers(layout)))
    assert response.status_code == 302
    assert QuizAttempt.objects.count() == 0


def test_a_learner_not_enrolled_gets_a_403_in_french(client, enrolment):
    quiz, layout = build_quiz(enrolment.training)
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    client.force_login(LearnerFactory())
    for url in (quiz.get_absolute_url(), exercise.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 403
        html = response.content.decode()
        assert DENIED in html
        assert f'href="{enrolment.training.get_absolute_url()}"' in html
        assert "<form" not in html.split('id="contenu"')[1].split("site-footer")[0]
    assert client.post(quiz.get_absolute_url(), form_data(right_answers(layout))).status_code == 403
    assert client.post(exercise.get_absolute_url(), {"prompt": "Tu es juriste."}).status_code == 403
    assert QuizAttempt.objects.count() == ExerciseSubmission.objects.count() == 0


def test_an_inactive_enrolment_gets_a_403(client, enrolment):
    quiz, _ = build_quiz(enrolment.training)
    enrolment.is_active = False
    enrolment.save()
    client.force_login(enrolment.user)
    assert client.get(quiz.get_absolute_url()).status_code == 403


def test_unknown_draft_or_misplaced_steps_are_404(learner, enrolment):
    training = enrolment.training
    quiz, _ = build_quiz(training)
    draft, _ = build_quiz(training, is_published=False)
    in_draft_module = QuizFactory(module=ModuleFactory(training=training, is_published=False))
    elsewhere, _ = build_quiz(TrainingFactory())
    slug = training.slug
    for quiz_id in (draft.pk, in_draft_module.pk, elsewhere.pk, 999999):
        assert learner.get(reverse("courses:quiz", args=[slug, quiz_id])).status_code == 404
    assert learner.get(reverse("courses:quiz", args=["inconnue", quiz.pk])).status_code == 404
    exercise = build_exercise(training, rules=[("contains_any", ROLE)])
    exercise.is_published = False
    exercise.save()
    assert learner.get(exercise.get_absolute_url()).status_code == 404
    training.is_published = False
    training.save()
    assert learner.get(quiz.get_absolute_url()).status_code == 404


def test_staff_preview_checks_answers_without_recording(client, enrolment):
    quiz, layout = build_quiz(enrolment.training)
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    client.force_login(LearnerFactory(is_staff=True))
    response = client.get(quiz.get_absolute_url())
    assert response.status_code == 200
    assert "Aperçu pour l'équipe" in response.content.decode()
    response = client.post(quiz.get_absolute_url(), form_data(right_answers(layout)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Résultat de l'aperçu (non enregistré)" in html and "100\u00a0%" in html
    response = client.post(exercise.get_absolute_url(), {"prompt": "Tu es juriste."})
    assert response.status_code == 200
    assert "✓" in response.content.decode()
    assert QuizAttempt.objects.count() == ExerciseSubmission.objects.count() == 0


# ---------------------------------------------------------------------------------------------------------------
# Quiz


def test_the_quiz_is_a_plain_form_with_a_fieldset_per_question(learner, enrolment):
    quiz, layout = build_quiz(enrolment.training, kinds=("single", "multiple"))
    response = learner.get(quiz.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<fieldset class="quiz-question"') == 2
    assert html.count("<legend>") == 2
    assert "csrfmiddlewaretoken" in html
    single, multiple = list(layout)
    assert re.search(rf'type="radio" name="q{single}"', html)
    assert re.search(rf'type="checkbox" name="q{multiple}"', html)
    assert "(plusieurs réponses possibles)" in html and "(une seule réponse)" in html
    assert "Il vous reste 3 tentatives, celle-ci comprise." in html
    assert "courses/assessments.css" in html


def test_a_right_submission_is_recorded_and_shows_the_correction(learner, enrolment):
    quiz, layout = build_quiz(enrolment.training, kinds=("single", "multiple"))
    response = learner.post(quiz.get_absolute_url(), form_data(right_answers(layout)))
    assert response.status_code == 302
    assert response.url == f"{quiz.get_absolute_url()}#resultat"
    attempt = QuizAttempt.objects.get()
    assert (attempt.enrolment, attempt.number, attempt.score, attempt.passed) == (enrolment, 1, 100, True)

    html = learner.get(quiz.get_absolute_url()).content.decode()
    assert "100\u00a0%" in html
    assert "Quiz réussi\u00a0: bravo\u00a0!" in html
    assert html.count("✓</span> Bonne réponse") == 2
    assert "Explication de la question single." in html and "Explication de la question multiple." in html
    assert "Continuer la formation" in html
    assert '<form class="form quiz-form"' not in html  # passed: no new attempt
    assert "Réessayer" not in html


def test_a_failed_attempt_shows_what_was_wrong_and_offers_a_retry(learner, enrolment):
    quiz, layout = build_quiz(enrolment.training, max_attempts=2)
    assert learner.post(quiz.get_absolute_url(), form_data(wrong_answers(layout))).status_code == 302
    html = learner.get(quiz.get_absolute_url()).content.decode()
    assert "0\u00a0%" in html and "Quiz pas encore réussi" in html
    assert "Réponse incorrecte" in html
    for parts in layout.values():
        assert parts["right"][0].text in html  # the right answers are shown
        assert parts["wrong"][0].text in html  # and what the learner picked
    assert "Il vous reste 1 tentative." in html
    assert f'href="{quiz.get_absolute_url()}?reessayer=1#questions"' in html

    retry = learner.get(f"{quiz.get_absolute_url()}?reessayer=1")
    html = retry.content.decode()
    assert 'class="form quiz-form"' in html
    assert checked_ids(html) == set()  # a fresh form
    assert "Correction, question par question" not in html


def test_missing_answers_keep_the_choices_and_say_which_question(learner, enrolment):
    quiz, layout = build_quiz(enrolment.training, kinds=("single", "multiple"))
    single, multiple = list(layout)
    kept = layout[multiple]["right"][0].id
    response = learner.post(quiz.get_absolute_url(), {f"q{multiple}": [str(kept)]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choisissez une réponse." in html
    assert f'href="#question-{single}"' in html
    assert f'aria-describedby="question-{single}-erreur"' in html
    assert checked_ids(html) == {kept}
    assert "Vos réponses sont conservées." in html
    assert QuizAttempt.objects.count() == 0


@pytest.mark.parametrize("forged", ["<script>alert(1)</script>", "99999999999", "", "-3", "²", "١٢", "1\x00"])
def test_forged_choices_are_a_422_never_a_500(learner, enrolment, forged):
    quiz, layout = build_quiz(enrolment.training)
    data = form_data(right_answers(layout))
    data[f"q{next(iter(layout))}"] = [forged]
    response = learner.post(quiz.get_absolute_url(), data)
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert QuizAttempt.objects.count() == 0


def test_an_unknown_question_is_refused(learner, enrolment):
    quiz, layout = build_quiz(enrolment.training)
    data = {**form_data(right_answers(layout)), "q424242": ["1"]}
    response = learner.post(quiz.get_absolute_url(), data)
    assert response.status_code == 422
    assert "ne fait pas partie de ce quiz" in response.content.decode()
    assert QuizAttempt.objects.count() == 0


def test_when_the_attempts_are_used_the_page_says_so_and_posting_writes_nothing(learner, enrolment):
    quiz, layout = build_quiz(enrolment.training, max_attempts=1)
    learner.post(quiz.get_absolute_url(), form_data(wrong_answers(layout)))
    html = learner.get(quiz.get_absolute_url()).content.decode()
    assert "Vous avez utilisé votre tentative pour ce quiz." in html
    assert "Réessayer" not in html
    assert (
        'class="form quiz-form"' not in learner.get(f"{quiz.get_absolute_url()}?reessayer=1").content.decode()
    )

    response = learner.post(quiz.get_absolute_url(), form_data(right_answers(layout)))
    assert response.status_code == 409
    assert "Vous avez utilisé votre tentative pour ce quiz." in response.content.decode()
    assert QuizAttempt.objects.count() == 1 and not QuizAttempt.objects.get().passed


def test_posting_again_after_a_pass_is_refused(learner, enrolment):
    quiz, layout = build_quiz(enrolment.training)
    learner.post(quiz.get_absolute_url(), form_data(right_answers(layout)))
    response = learner.post(quiz.get_absolute_url(), form_data(right_answers(layout)))
    assert response.status_code == 409
    assert "Vous avez déjà réussi ce quiz." in response.content.decode()
    assert QuizAttempt.objects.count() == 1


def test_quiz_submissions_are_rate_limited_and_keep_the_choices(learner, enrolment, settings):
    settings.COURSES_SUBMIT_RATE_LIMIT = 1
    quiz, layout = build_quiz(enrolment.training, max_attempts=5)
    learner.post(quiz.get_absolute_url(), form_data(wrong_answers(layout)))
    response = learner.post(quiz.get_absolute_url(), form_data(right_answers(layout)))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Patientez quelques minutes" in html
    assert checked_ids(html) == {ids[0] for ids in right_answers(layout).values()}
    assert QuizAttempt.objects.count() == 1


def test_posting_without_the_csrf_token_is_refused(enrolment):
    quiz, layout = build_quiz(enrolment.training)
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrolment.user)
    assert client.post(quiz.get_absolute_url(), form_data(right_answers(layout))).status_code == 403
    assert QuizAttempt.objects.count() == 0


def test_quiz_text_is_escaped(learner, enrolment):
    quiz, layout = build_quiz(enrolment.training)
    question = quiz.questions.first()
    question.text = "<img src=x onerror=alert(1)>"
    question.save()
    html = learner.get(quiz.get_absolute_url()).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html


# ---------------------------------------------------------------------------------------------------------------
# Prompt exercise


@pytest.fixture
def exercise(enrolment):
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE), ("has_format", "")])
    exercise.task = "Écrivez un prompt pour **répondre** à un client."
    exercise.save()
    return exercise


def test_the_exercise_page_shows_the_task_the_criteria_and_a_labelled_textarea(learner, exercise):
    response = learner.get(exercise.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>répondre</strong>" in html  # the task's Markdown
    assert "Critère 1 (contains_any)" in html and "Critère 2 (has_format)" in html
    assert 'for="id_prompt"' in html and 'id="id_prompt"' in html
    assert 'maxlength="4000"' in html
    assert "4\u202f000 caractères au plus" in html
    assert "csrfmiddlewaretoken" in html
    assert "Vos envois précédents" not in html


def test_a_submission_shows_each_criterion_in_words_and_prefills_the_prompt(learner, exercise):
    response = learner.post(exercise.get_absolute_url(), {"prompt": "Tu es un expert & un <pro>."})
    assert response.status_code == 302
    assert response.url == f"{exercise.get_absolute_url()}#resultat"
    submission = ExerciseSubmission.objects.get()
    assert not submission.passed
    html = learner.get(exercise.get_absolute_url()).content.decode()
    assert "✓</span> Rempli" in html and "✗</span> Manquant" in html
    assert "Bien : critère 1." in html and "Il manque le critère 2." in html
    assert "Pas encore réussi" in html
    assert ">Tu es un expert &amp; un &lt;pro&gt;.</textarea>" in html

    learner.post(exercise.get_absolute_url(), {"prompt": "Tu es un expert. Réponds en liste."})
    html = learner.get(exercise.get_absolute_url()).content.decode()
    assert "Exercice réussi" in html
    assert "Vos envois précédents" in html
    assert html.count("<details>") == 1


def test_history_shows_the_five_previous_submissions(learner, exercise):
    for index in range(7):
        learner.post(exercise.get_absolute_url(), {"prompt": f"Essai numéro {index}."})
    html = learner.get(exercise.get_absolute_url()).content.decode()
    assert html.count("<details>") == 5
    assert "Essai numéro 6.</textarea>" in html
    assert "Essai numéro 0." not in html


def test_an_empty_prompt_is_a_422_with_the_message_next_to_the_field(learner, exercise):
    response = learner.post(exercise.get_absolute_url(), {"prompt": "   "})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_prompt-erreurs"' in html and "Écrivez votre prompt avant de l'envoyer." in shown(html)
    assert 'aria-invalid="true"' in html
    assert ExerciseSubmission.objects.count() == 0


def test_a_too_long_prompt_is_a_422_and_keeps_the_text(learner, exercise):
    text = "Tu es un expert. " + "x" * 4100
    response = learner.post(exercise.get_absolute_url(), {"prompt": text})
    assert response.status_code == 422
    html = response.content.decode()
    assert "raccourcissez-le" in html
    assert text in html
    assert ExerciseSubmission.objects.count() == 0


def test_exercise_submissions_are_rate_limited_and_keep_the_text(learner, exercise, settings):
    settings.COURSES_SUBMIT_RATE_LIMIT = 1
    learner.post(exercise.get_absolute_url(), {"prompt": "Premier essai."})
    response = learner.post(exercise.get_absolute_url(), {"prompt": "Deuxième essai, gardé."})
    assert response.status_code == 429
    assert "Deuxième essai, gardé.</textarea>" in response.content.decode()
    assert ExerciseSubmission.objects.count() == 1


def test_the_ai_text_is_escaped_and_labelled(learner, exercise, enrolment):
    ExerciseSubmission.objects.create(
        enrolment=enrolment,
        exercise=exercise,
        prompt="Tu es un expert.",
        results=[{"label": "Critère 1", "met": True, "feedback": "Bien."}],
        passed=True,
        ai_output="<script>alert('sortie')</script>",
        ai_feedback="- Bon rôle\n- <img src=x onerror=alert(1)>",
        ai_model="modele-test",
        ai_status=ExerciseSubmission.AIStatus.DONE,
    )
    html = learner.get(exercise.get_absolute_url()).content.decode()
    assert "Retour généré par l'IA (modèle modele-test)\u00a0: à prendre avec recul." in shown(html)
    assert "<script>alert(" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert "n'est pas disponible" not in shown(html)


def test_an_unavailable_model_is_said_on_the_page(learner, exercise, enrolment):
    ExerciseSubmission.objects.create(
        enrolment=enrolment,
        exercise=exercise,
        prompt="Tu es un expert.",
        results=[{"label": "Critère 1", "met": True, "feedback": "Bien."}],
        passed=True,
        ai_model="modele-test",
        ai_status=ExerciseSubmission.AIStatus.UNAVAILABLE,
    )
    html = learner.get(exercise.get_absolute_url()).content.decode()
    assert "Le retour de l'IA n'est pas disponible pour cet envoi" in shown(html)
    assert "Retour généré par l'IA" not in shown(html)


def test_an_unreachable_model_still_saves_and_shows_the_rubric_result(learner, exercise, settings):
    use_openai_compatible(settings, base_url=f"http://127.0.0.1:{closed_port()}/v1", max_retries=0)
    page = learner.get(exercise.get_absolute_url()).content.decode()
    assert "Un modèle d'IA (smollm2) l'exécute ensuite" in shown(page)  # said before the button
    response = learner.post(exercise.get_absolute_url(), {"prompt": "Tu es un expert. Réponds en liste."})
    assert response.status_code == 302
    submission = ExerciseSubmission.objects.get()
    assert submission.passed and submission.ai_feedback == ""
    html = learner.get(exercise.get_absolute_url()).content.decode()
    assert "Exercice réussi" in html
    assert "Le retour de l'IA n'est pas disponible pour cet envoi" in shown(html)


def test_the_model_feedback_appears_on_the_page(learner, exercise, settings, llama_server):
    use_openai_compatible(
        settings, base_url=llama_server.base_url, api_key=llama_server.api_key, model=llama_server.model
    )
    response = learner.post(
        exercise.get_absolute_url(), {"prompt": "Tu es un conseiller. Réponds en trois lignes à un client."}
    )
    assert response.status_code == 302
    submission = ExerciseSubmission.objects.get()
    assert submission.ai_feedback and submission.ai_output
    html = learner.get(exercise.get_absolute_url()).content.decode()
    assert f"Retour généré par l'IA (modèle {llama_server.model})\u00a0: à prendre avec recul." in shown(html)
    assert "Commentaire sur votre prompt" in html and "Ce que le modèle répond à votre prompt" in html


def test_while_the_model_writes_the_page_says_so_and_keeps_the_rubric_result(learner, exercise, enrolment):
    ExerciseSubmission.objects.create(
        enrolment=enrolment,
        exercise=exercise,
        prompt="Tu es un expert.",
        results=[{"label": "Critère 1", "met": True, "feedback": "Bien."}],
        passed=True,
        ai_model="modele-test",
        ai_status=ExerciseSubmission.AIStatus.PENDING,
    )
    html = shown(learner.get(exercise.get_absolute_url()).content.decode())
    assert "Un modèle d'IA exécute votre prompt et le commente\u00a0: son retour s'affichera ici" in html
    assert "Critère 1" in html and "n'est pas disponible" not in html
