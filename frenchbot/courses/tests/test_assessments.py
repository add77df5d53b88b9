"""Quizzes and prompt exercises: scoring, attempt limits, the rubric's rules, and the model's part."""

import logging
import socket
import threading

import pytest
from django.db import connections

from frenchbot.courses import assessments
from frenchbot.courses.errors import AssessmentError
from frenchbot.courses.models import ExerciseSubmission, QuizAttempt, RubricCriterion
from frenchbot.courses.selectors import assessments as assessment_selectors
from frenchbot.courses.services import assessments as assessment_services

from .factories import (
    EnrolmentFactory,
    ModuleFactory,
    PromptExerciseFactory,
    QuizChoiceFactory,
    QuizFactory,
    QuizQuestionFactory,
    RubricCriterionFactory,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------------------------
# Helpers shared with test_assessment_views.py


def build_quiz(training, *, kinds=("single", "single"), **quiz_options):
    """A published quiz in `training`: per question one right and two wrong choices (two right for a
    multiple-choice one). Returns (quiz, {question id: {"right": [choices], "wrong": [choices]}})."""
    quiz = QuizFactory(module=ModuleFactory(training=training), **quiz_options)
    layout = {}
    for kind in kinds:
        question = QuizQuestionFactory(
            quiz=quiz, kind=kind, explanation=f"Explication de la question {kind}."
        )
        rights = [QuizChoiceFactory(question=question, is_correct=True)]
        if kind == "multiple":
            rights.append(QuizChoiceFactory(question=question, is_correct=True))
        wrongs = [QuizChoiceFactory(question=question), QuizChoiceFactory(question=question)]
        layout[question.id] = {"right": rights, "wrong": wrongs}
    return quiz, layout


def right_answers(layout) -> dict:
    return {qid: [c.id for c in parts["right"]] for qid, parts in layout.items()}


def wrong_answers(layout) -> dict:
    return {qid: [parts["wrong"][0].id] for qid, parts in layout.items()}


def build_exercise(training, *, rules, pass_criteria=0):
    """A published exercise in `training` with one criterion per (rule, values) pair."""
    exercise = PromptExerciseFactory(module=ModuleFactory(training=training), pass_criteria=pass_criteria)
    for index, (rule, values) in enumerate(rules):
        RubricCriterionFactory(
            exercise=exercise,
            label=f"Critère {index + 1} ({rule})",
            rule=rule,
            values=values,
            feedback_ok=f"Bien : critère {index + 1}.",
            feedback_missing=f"Il manque le critère {index + 1}.",
            order=index,
        )
    return exercise


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_openai_compatible(settings, *, base_url, api_key="x", model="smollm2", **options):
    settings.LLM_PROVIDERS = {
        "default": {
            "BACKEND": "frenchbot.llm.providers.openai_compatible.OpenAICompatibleProvider",
            "OPTIONS": {"base_url": base_url, "api_key": api_key, "model": model, **options},
        },
        "extractive": {"BACKEND": "frenchbot.llm.providers.extractive.ExtractiveProvider", "OPTIONS": {}},
    }
    settings.LLM_DEFAULT_PROVIDER = "default"
    settings.COURSES_EXERCISE_AI_FEEDBACK = True


@pytest.fixture
def enrolment():
    return EnrolmentFactory()


# ---------------------------------------------------------------------------------------------------------------
# Quizzes: scoring


def test_all_right_scores_100_passes_and_records_attempt_one(enrolment):
    quiz, layout = build_quiz(enrolment.training, kinds=("single", "multiple"))
    attempt = assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert (attempt.number, attempt.score, attempt.passed) == (1, 100, True)
    stored = QuizAttempt.objects.get()
    assert stored.answers == {str(qid): sorted(ids) for qid, ids in right_answers(layout).items()}


def test_score_is_the_floor_of_the_percentage_and_the_pass_mark_is_inclusive(enrolment):
    quiz, layout = build_quiz(enrolment.training, kinds=("single",) * 3, pass_mark=67, max_attempts=5)
    answers = right_answers(layout)
    last = list(layout)[-1]
    answers[last] = [layout[last]["wrong"][0].id]
    attempt = assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=answers)
    assert (attempt.score, attempt.passed) == (66, False)  # 2/3 = 66.67 → 66, under 67

    quiz.pass_mark = 66
    quiz.save()
    attempt = assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=answers)
    assert (attempt.number, attempt.score, attempt.passed) == (2, 66, True)


def test_multiple_choice_is_all_or_nothing(enrolment):
    quiz, layout = build_quiz(enrolment.training, kinds=("multiple",), max_attempts=10, pass_mark=100)
    ((qid, parts),) = layout.items()
    r1, r2 = parts["right"]
    w1 = parts["wrong"][0]
    for picked in ([r1.id], [r1.id, r2.id, w1.id], [w1.id]):
        attempt = assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers={qid: picked})
        assert attempt.score == 0, picked
    attempt = assessment_services.quiz_submit(
        enrolment=enrolment, quiz=quiz, answers={str(qid): [str(r2.id), r1.id]}
    )
    assert (attempt.score, attempt.passed) == (100, True)


def test_string_keys_and_values_are_accepted_as_a_form_sends_them(enrolment):
    quiz, layout = build_quiz(enrolment.training)
    answers = {str(qid): [str(i) for i in ids] for qid, ids in right_answers(layout).items()}
    assert assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=answers).score == 100


# ---------------------------------------------------------------------------------------------------------------
# Quizzes: bad input is refused with a French message per question, and nothing is written


def test_forged_option_ids_are_refused_per_question_and_nothing_is_written(enrolment):
    quiz, layout = build_quiz(enrolment.training)
    other_quiz, other_layout = build_quiz(enrolment.training)
    q1, q2 = list(layout)
    foreign = next(iter(other_layout.values()))["right"][0].id
    sibling = layout[q2]["right"][0].id  # an option of this quiz, but of the other question
    for forged in (foreign, sibling, "<script>", "99999999999999999999", "-1", "1.5"):
        answers = right_answers(layout)
        answers[q1] = [forged]
        with pytest.raises(AssessmentError) as caught:
            assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=answers)
        assert caught.value.code == "invalid"
        assert caught.value.errors == {
            q1: "Cette réponse ne fait pas partie des choix proposés pour cette question."
        }, forged
        assert "complétez les questions signalées" in caught.value.message
    assert QuizAttempt.objects.count() == 0


def test_a_question_of_another_quiz_is_refused(enrolment):
    quiz, layout = build_quiz(enrolment.training)
    _, other_layout = build_quiz(enrolment.training)
    answers = {**right_answers(layout), **right_answers(other_layout)}
    with pytest.raises(AssessmentError) as caught:
        assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=answers)
    assert caught.value.errors == {
        "__all__": "Votre envoi contient une question qui ne fait pas partie de ce quiz."
    }
    with pytest.raises(AssessmentError):
        assessment_services.quiz_submit(
            enrolment=enrolment, quiz=quiz, answers={**right_answers(layout), "abc": [1]}
        )
    assert QuizAttempt.objects.count() == 0


def test_every_question_must_be_answered(enrolment):
    quiz, layout = build_quiz(enrolment.training, kinds=("single", "multiple"))
    single, multiple = list(layout)
    with pytest.raises(AssessmentError) as caught:
        assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers={multiple: []})
    assert caught.value.errors == {
        single: "Choisissez une réponse.",
        multiple: "Choisissez au moins une réponse.",
    }
    assert QuizAttempt.objects.count() == 0


def test_single_choice_takes_exactly_one_answer(enrolment):
    quiz, layout = build_quiz(enrolment.training, kinds=("single",))
    ((qid, parts),) = layout.items()
    with pytest.raises(AssessmentError) as caught:
        assessment_services.quiz_submit(
            enrolment=enrolment, quiz=quiz, answers={qid: [parts["right"][0].id, parts["wrong"][0].id]}
        )
    assert caught.value.errors == {qid: "Choisissez une seule réponse."}
    assert QuizAttempt.objects.count() == 0


def test_a_question_without_choices_does_not_count(enrolment):
    quiz, layout = build_quiz(enrolment.training)
    QuizQuestionFactory(quiz=quiz)  # still being written: no choice yet
    attempt = assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert attempt.score == 100


def test_a_quiz_without_questions_is_refused(enrolment):
    quiz = QuizFactory(module=ModuleFactory(training=enrolment.training))
    with pytest.raises(AssessmentError) as caught:
        assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers={})
    assert caught.value.code == "empty"


def test_an_enrolment_elsewhere_or_inactive_gives_no_attempt(enrolment):
    quiz, layout = build_quiz(enrolment.training)
    elsewhere = EnrolmentFactory()
    with pytest.raises(AssessmentError) as caught:
        assessment_services.quiz_submit(enrolment=elsewhere, quiz=quiz, answers=right_answers(layout))
    assert caught.value.code == "forbidden"
    enrolment.is_active = False
    enrolment.save()
    with pytest.raises(AssessmentError):
        assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert QuizAttempt.objects.count() == 0


# ---------------------------------------------------------------------------------------------------------------
# Quizzes: attempts


def test_the_attempt_limit_refuses_and_writes_nothing(enrolment):
    quiz, layout = build_quiz(enrolment.training, max_attempts=2)
    for number in (1, 2):
        attempt = assessment_services.quiz_submit(
            enrolment=enrolment, quiz=quiz, answers=wrong_answers(layout)
        )
        assert (attempt.number, attempt.passed) == (number, False)
    with pytest.raises(AssessmentError) as caught:
        assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert caught.value.code == "attempts"
    assert caught.value.message == "Vous avez utilisé vos 2 tentatives pour ce quiz."
    assert QuizAttempt.objects.count() == 2
    assert not QuizAttempt.objects.filter(passed=True).exists()


def test_the_site_setting_applies_when_the_quiz_sets_no_limit(enrolment, settings):
    settings.COURSES_QUIZ_MAX_ATTEMPTS = 1
    quiz, layout = build_quiz(enrolment.training, max_attempts=None)
    assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=wrong_answers(layout))
    with pytest.raises(AssessmentError) as caught:
        assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert caught.value.message == "Vous avez utilisé votre tentative pour ce quiz."
    assert QuizAttempt.objects.count() == 1


def test_a_passed_quiz_takes_no_more_attempts(enrolment):
    quiz, layout = build_quiz(enrolment.training, max_attempts=5)
    assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    with pytest.raises(AssessmentError) as caught:
        assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert (caught.value.code, caught.value.message) == ("passed", "Vous avez déjà réussi ce quiz.")
    assert QuizAttempt.objects.count() == 1


def test_a_deleted_attempt_gives_a_chance_back_without_reusing_a_number(enrolment):
    quiz, layout = build_quiz(enrolment.training, max_attempts=2)
    first = assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=wrong_answers(layout))
    assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=wrong_answers(layout))
    first.delete()  # the team gives one attempt back
    third = assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert (third.number, third.passed) == (3, True)


def test_an_attempt_number_taken_meanwhile_is_a_french_error_not_a_500(enrolment, monkeypatch):
    quiz, layout = build_quiz(enrolment.training, max_attempts=5)
    assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=wrong_answers(layout))
    # What a concurrent submit would leave: the number this one computed is already taken.
    monkeypatch.setattr(assessment_services, "_next_number", lambda **kwargs: 1)
    with pytest.raises(AssessmentError) as caught:
        assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert caught.value.code == "conflict"
    assert "vient d'être enregistrée" in caught.value.message
    assert QuizAttempt.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_cannot_exceed_the_limit():
    enrolment = EnrolmentFactory()
    quiz, layout = build_quiz(enrolment.training, max_attempts=1)
    answers = wrong_answers(layout)
    count = 6
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def submit(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=answers)
            outcomes[index] = "recorded"
        except AssessmentError as error:
            outcomes[index] = error.code
        except Exception as error:  # noqa: BLE001 - reported by the assertion
            outcomes[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("recorded") == 1
    assert set(outcomes) <= {"recorded", "attempts", "conflict"}
    assert QuizAttempt.objects.count() == 1


def test_quiz_state_says_where_the_learner_stands(enrolment):
    quiz, layout = build_quiz(enrolment.training, kinds=("single", "multiple"), max_attempts=3)
    state = assessment_selectors.quiz_state(enrolment=enrolment, quiz=quiz)
    assert (state.attempts_used, state.attempts_left, state.best_score, state.passed) == (0, 3, None, False)
    assert state.can_attempt and state.last_attempt is None

    single, multiple = list(layout)
    answers = right_answers(layout)
    answers[multiple] = [layout[multiple]["right"][0].id]  # half of a multiple choice: wrong
    assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=answers)
    state = assessment_selectors.quiz_state(enrolment=enrolment, quiz=quiz)
    assert (state.attempts_used, state.attempts_left, state.best_score, state.passed) == (1, 2, 50, False)
    assert state.can_attempt
    assert [(r.question.id, r.is_correct) for r in state.last_results] == [(single, True), (multiple, False)]
    assert [c.id for c in state.last_results[1].chosen] == [layout[multiple]["right"][0].id]
    assert {c.id for c in state.last_results[1].correct} == {c.id for c in layout[multiple]["right"]}

    assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    state = assessment_selectors.quiz_state(enrolment=enrolment, quiz=quiz)
    assert (state.attempts_used, state.attempts_left, state.best_score, state.passed) == (2, 1, 100, True)
    assert not state.can_attempt
    assert state.last_attempt.number == 2 and state.last_correct_count == 2


# ---------------------------------------------------------------------------------------------------------------
# Certificates after a pass


@pytest.fixture
def recorded_certificate_calls(monkeypatch):
    """Stand in for the certificate service and record what it is asked."""
    calls = []
    monkeypatch.setattr(
        assessment_services, "certificate_issue_if_complete", lambda *, enrolment: calls.append(enrolment.pk)
    )
    return calls


def test_a_pass_asks_for_the_certificate_and_a_fail_does_not(enrolment, recorded_certificate_calls):
    quiz, layout = build_quiz(enrolment.training, max_attempts=3)
    assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=wrong_answers(layout))
    assert recorded_certificate_calls == []
    assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert recorded_certificate_calls == [enrolment.pk]

    exercise = build_exercise(enrolment.training, rules=[("contains_any", "tu es")])
    assessment_services.exercise_submit(
        enrolment=enrolment, exercise=exercise, prompt="Écris un e-mail.", ai=False
    )
    assert recorded_certificate_calls == [enrolment.pk]
    assessment_services.exercise_submit(
        enrolment=enrolment, exercise=exercise, prompt="Tu es juriste.", ai=False
    )
    assert recorded_certificate_calls == [enrolment.pk, enrolment.pk]


def test_a_certificate_failure_is_not_hidden_and_the_pass_stays_recorded(enrolment, monkeypatch):
    def broken(*, enrolment):
        raise RuntimeError("certificate service down")

    monkeypatch.setattr(assessment_services, "certificate_issue_if_complete", broken)
    quiz, layout = build_quiz(enrolment.training)
    with pytest.raises(RuntimeError, match="certificate service down"):
        assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert list(
        QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).values_list("passed", flat=True)
    ) == [True]


def test_passing_the_last_required_step_issues_the_certificate(enrolment):
    from frenchbot.courses.models import Certificate

    quiz, layout = build_quiz(enrolment.training)
    assessment_services.quiz_submit(enrolment=enrolment, quiz=quiz, answers=right_answers(layout))
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


# ---------------------------------------------------------------------------------------------------------------
# The rubric, rule by rule


def check(rule: str, values: str, prompt: str) -> bool:
    exercise = build_exercise(EnrolmentFactory().training, rules=[(rule, values)])
    (result,) = assessments.exercise_check(exercise=exercise, prompt=prompt)
    return result.met


ROLE = "tu es\nvous êtes\nen tant que\nagis comme"


@pytest.mark.parametrize(
    "prompt",
    [
        "Tu es un expert du service client.",
        "VOUS ETES juriste en droit du travail.",  # case and accents ignored
        "Rédige, en tant que responsable, une réponse.",
        "Agis   comme\nun conseiller.",  # any spacing
        "Bonjour. Tu es, aujourd'hui, notre assistant.",
    ],
)
def test_contains_any_finds_one_phrase(prompt):
    assert check("contains_any", ROLE, prompt)


@pytest.mark.parametrize(
    "prompt",
    [
        "Les statues du parc sont à nettoyer.",  # « tu es » inside a word
        "Rédige une réponse au client mécontent.",
        "Vous etesvraiment là ?",
        "",
    ],
)
def test_contains_any_needs_whole_words(prompt):
    assert not check("contains_any", ROLE, prompt)


def test_contains_all_needs_every_phrase():
    values = "client\nexcuses\ndélai"
    assert check("contains_all", values, "Présente des EXCUSES au client et annonce un nouveau DELAI.")
    assert not check("contains_all", values, "Présente des excuses au client.")
    assert not check("contains_all", values, "Présente des excuses aux clients et un délai.")  # « clients »


def test_a_value_ending_with_a_star_matches_the_beginning_of_a_word():
    assert check("contains_any", "excus*", "Présente tes excuses.")
    assert check("contains_any", "excus*", "Excuse-toi.")
    assert not check("contains_any", "excus*", "Réponds au client.")


def test_typographic_apostrophes_match_straight_ones():
    assert check("contains_any", "l'IA", "Explique à l’IA ce que tu veux.")
    assert check("contains_any", "l’IA", "Explique à l'ia ce que tu veux.")


def test_min_words_counts_words_as_a_word_processor_does():
    nineteen = " ".join(["mot"] * 18) + " l'IA"
    assert not check("min_words", "20", nineteen)  # « l'IA » is one word: 19 in all
    assert check("min_words", "20", nineteen + " encore")
    assert check("min_words", " 5 \n", "Un deux trois quatre cinq.")
    assert not check("min_words", "5", "Un , deux - trois ; quatre")  # punctuation alone is no word


@pytest.mark.parametrize(
    "prompt",
    [
        "Réponds poliment, par exemple en remerciant le client.",
        "Donne une réponse courte. Exemple : « Merci pour votre message ».",
        "Voici un exemple de ton attendu.",
        "Voici deux exemples de réponses réussies.",
        "Écris-le comme ceci.",
        "Réponds au client.\nExemple\nMadame, nous sommes désolés.",
        "- Exemples : merci, bonjour.",
        "Réponds en reprenant « Nous comprenons votre déception » dans la première phrase.",
        'Commence par "Nous sommes sincèrement désolés" puis propose une solution.',
        "Commence par “Merci de votre patience” et conclus poliment.",
        "À titre d'exemple, cite une commande.",
        "Inspire-toi de l'exemple suivant.",
    ],
)
def test_has_example_recognises_an_example(prompt):
    assert check("has_example", "", prompt)


@pytest.mark.parametrize(
    "prompt",
    [
        "Réponds poliment au client mécontent.",
        "Utilise le mot « désolé ».",  # a quoted word is not a sample
        'Reste "poli" et "bref".',
        "Donne des exemples concrets de solutions.",  # asks the model for examples, gives none
        "",
    ],
)
def test_has_example_needs_an_actual_example(prompt):
    assert not check("has_example", "", prompt)


def test_has_example_also_accepts_the_criterion_values():
    assert check("has_example", "modèle de réponse", "Suis ce MODELE DE REPONSE.")
    assert not check("has_example", "modèle de réponse", "Sois bref.")


@pytest.mark.parametrize(
    "prompt",
    [
        "Réponds sous forme de liste à puces.",
        "Présente le résultat dans un tableau.",
        "Écris trois paragraphes.",
        "Réponds en 150 mots au plus.",
        "Réponds en cinq lignes.",
        "Réponds en une phrase.",
        "Donne la réponse au format JSON.",
        "Rédige en Markdown.",
        "Adopte un ton chaleureux.",
        "Ton : professionnel.",
        "Écris sur le ton de la confidence.",
        "Utilise un ton formel et propose des étapes.",
        "Ajoute un titre.",
        "Garde un registre soutenu.",
    ],
)
def test_has_format_recognises_a_format(prompt):
    assert check("has_format", "", prompt)


@pytest.mark.parametrize(
    "prompt",
    [
        "Écris une réponse à ton client mécontent.",  # « ton » the possessive, not a tone
        "À titre indicatif, le client attend depuis deux semaines.",
        "Réponds au client de façon utile.",
        "Cette formation sur la mise en forme.",  # neither « format » nor a count of words
        "",
    ],
)
def test_has_format_needs_an_actual_format(prompt):
    assert not check("has_format", "", prompt)


def test_has_format_also_accepts_the_criterion_values():
    assert check("has_format", "courriel\nSMS", "Rédige un sms.")
    assert not check("has_format", "courriel\nSMS", "Rédige une réponse.")


def test_regex_is_case_insensitive_on_the_first_line():
    values = r"\b\d+\s*MOTS\b" + "\nignoré"
    assert check("regex", values, "Réponds en 100 mots.")
    assert not check("regex", values, "Réponds en cent mots.")
    assert not check("regex", values, "ignoré")


def test_a_broken_regex_is_not_met_and_logged_never_raised(caplog):
    with caplog.at_level(logging.WARNING, logger="frenchbot.courses.assessments"):
        assert not check("regex", "([a-z", "abc")
    assert "invalid regex" in caplog.text


@pytest.mark.parametrize(
    ("rule", "values"),
    [
        ("min_words", "beaucoup"),
        ("min_words", ""),
        ("contains_any", ""),
        ("contains_all", "\n"),
        ("regex", ""),
    ],
)
def test_a_misconfigured_criterion_is_not_met(rule, values, caplog):
    with caplog.at_level(logging.WARNING, logger="frenchbot.courses.assessments"):
        assert not check(rule, values, "Tu es un expert, par exemple, en 100 mots.")
    assert caplog.records


def test_an_unknown_rule_is_not_met():
    exercise = build_exercise(EnrolmentFactory().training, rules=[("contains_any", "tu es")])
    RubricCriterion.objects.update(rule="inconnue")
    assert [r.met for r in assessments.exercise_check(exercise=exercise, prompt="Tu es.")] == [False]


def test_results_carry_label_and_the_matching_feedback():
    exercise = build_exercise(
        EnrolmentFactory().training, rules=[("contains_any", "tu es"), ("has_format", "")]
    )
    results = assessments.exercise_check(exercise=exercise, prompt="Tu es un expert.")
    assert [r.as_dict() for r in results] == [
        {"label": "Critère 1 (contains_any)", "met": True, "feedback": "Bien : critère 1."},
        {"label": "Critère 2 (has_format)", "met": False, "feedback": "Il manque le critère 2."},
    ]


def test_pass_criteria_sets_how_many_criteria_are_needed(enrolment):
    rules = [("contains_any", "tu es"), ("has_format", ""), ("has_example", "")]
    all_needed = build_exercise(enrolment.training, rules=rules)
    two_needed = build_exercise(enrolment.training, rules=rules, pass_criteria=2)
    too_many = build_exercise(enrolment.training, rules=rules, pass_criteria=9)
    prompt = "Tu es un expert. Réponds en trois lignes."
    for exercise, passed in ((all_needed, False), (two_needed, True), (too_many, False)):
        submission = assessment_services.exercise_submit(
            enrolment=enrolment, exercise=exercise, prompt=prompt, ai=False
        )
        assert submission.passed is passed, exercise.pass_criteria
    full = assessment_services.exercise_submit(
        enrolment=enrolment,
        exercise=too_many,
        prompt=prompt + " Par exemple : « Bonjour Madame Durand ».",
        ai=False,
    )
    assert full.passed  # never more than there are criteria


# ---------------------------------------------------------------------------------------------------------------
# Submissions


def test_a_submission_saves_the_prompt_results_and_verdict(enrolment):
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE), ("has_format", "")])
    submission = assessment_services.exercise_submit(
        enrolment=enrolment, exercise=exercise, prompt="  Tu es un expert.\r\nRéponds en liste.  ", ai=False
    )
    submission.refresh_from_db()
    assert submission.prompt == "Tu es un expert.\nRéponds en liste."
    assert submission.passed
    assert [r["met"] for r in submission.results] == [True, True]
    assert (submission.ai_output, submission.ai_feedback, submission.ai_model) == ("", "", "")


@pytest.mark.parametrize("prompt", ["", "   \n\t ", None])
def test_an_empty_prompt_is_refused(enrolment, prompt):
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    with pytest.raises(AssessmentError) as caught:
        assessment_services.exercise_submit(enrolment=enrolment, exercise=exercise, prompt=prompt, ai=False)
    assert caught.value.errors == {"prompt": "Écrivez votre prompt avant de l'envoyer."}
    assert ExerciseSubmission.objects.count() == 0


def test_a_prompt_over_4000_characters_is_refused(enrolment):
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    with pytest.raises(AssessmentError) as caught:
        assessment_services.exercise_submit(
            enrolment=enrolment, exercise=exercise, prompt="a" * 4001, ai=False
        )
    assert "4\u202f001 caractères" in caught.value.errors["prompt"]
    assert "4\u202f000 caractères au plus" in caught.value.errors["prompt"]
    assert ExerciseSubmission.objects.count() == 0
    # Line breaks count once, as the browser's maxlength counts them.
    text = ("a" * 99 + "\r\n") * 40
    assert len(text) > 4000
    assessment_services.exercise_submit(enrolment=enrolment, exercise=exercise, prompt=text, ai=False)
    assert ExerciseSubmission.objects.count() == 1


def test_nul_characters_are_dropped_from_the_prompt(enrolment):
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    submission = assessment_services.exercise_submit(
        enrolment=enrolment, exercise=exercise, prompt="Tu\x00 es juriste.", ai=False
    )
    submission.refresh_from_db()
    assert submission.prompt == "Tu es juriste." and submission.passed


def test_an_enrolment_elsewhere_cannot_submit(enrolment):
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    with pytest.raises(AssessmentError) as caught:
        assessment_services.exercise_submit(
            enrolment=EnrolmentFactory(), exercise=exercise, prompt="Tu es.", ai=False
        )
    assert caught.value.code == "forbidden"
    assert ExerciseSubmission.objects.count() == 0


def test_history_is_newest_first(enrolment):
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    for prompt in ("Premier.", "Deuxième.", "Tu es le troisième."):
        assessment_services.exercise_submit(enrolment=enrolment, exercise=exercise, prompt=prompt, ai=False)
    latest = assessment_selectors.exercise_submissions(enrolment=enrolment, exercise=exercise, limit=2)
    assert [s.prompt for s in latest] == ["Tu es le troisième.", "Deuxième."]
    assert assessment_selectors.exercise_passed_once(enrolment=enrolment, exercise=exercise)


# ---------------------------------------------------------------------------------------------------------------
# The model's part


def test_no_model_is_asked_with_the_extractive_provider_or_the_setting_off(enrolment, settings):
    settings.LLM_PROVIDERS = {
        "default": {"BACKEND": "frenchbot.llm.providers.extractive.ExtractiveProvider", "OPTIONS": {}}
    }
    settings.COURSES_EXERCISE_AI_FEEDBACK = True
    assert assessment_selectors.exercise_ai_provider() is None
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    submission = assessment_services.exercise_submit(
        enrolment=enrolment, exercise=exercise, prompt="Tu es juriste."
    )
    assert submission.ai_model == "" and not assessment_selectors.submission_ai_unavailable(submission)

    use_openai_compatible(settings, base_url=f"http://127.0.0.1:{closed_port()}/v1")
    settings.COURSES_EXERCISE_AI_FEEDBACK = False
    assert assessment_selectors.exercise_ai_provider() is None
    assert assessment_selectors.exercise_ai_provider(force=True) is not None
    submission = assessment_services.exercise_submit(
        enrolment=enrolment, exercise=exercise, prompt="Tu es juriste."
    )
    assert submission.ai_model == ""


def test_an_unreachable_model_keeps_the_rubric_result_and_says_the_feedback_is_unavailable(
    enrolment, settings
):
    use_openai_compatible(settings, base_url=f"http://127.0.0.1:{closed_port()}/v1", max_retries=0)
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE), ("has_format", "")])
    submission = assessment_services.exercise_submit(
        enrolment=enrolment, exercise=exercise, prompt="Tu es juriste. Réponds en liste."
    )
    submission.refresh_from_db()
    assert submission.passed
    assert [r["met"] for r in submission.results] == [True, True]
    assert (submission.ai_output, submission.ai_feedback) == ("", "")
    assert submission.ai_model == "smollm2"
    assert assessment_selectors.submission_ai_unavailable(submission)


def test_the_model_runs_the_prompt_and_comments_on_it(enrolment, settings, llama_server):
    use_openai_compatible(
        settings, base_url=llama_server.base_url, api_key=llama_server.api_key, model=llama_server.model
    )
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE), ("has_format", "")])
    submission = assessment_services.exercise_submit(
        enrolment=enrolment,
        exercise=exercise,
        prompt="Tu es un conseiller clientèle. Réponds en trois lignes à un client dont le colis est en retard.",
    )
    submission.refresh_from_db()
    assert submission.passed
    assert submission.ai_output.strip()
    assert submission.ai_feedback.strip()
    assert submission.ai_model == llama_server.model
    assert not assessment_selectors.submission_ai_unavailable(submission)


def test_a_wrong_key_is_a_refusal_that_keeps_the_submission(enrolment, settings, llama_server):
    use_openai_compatible(
        settings, base_url=llama_server.base_url, api_key="mauvaise-cle", model=llama_server.model
    )
    exercise = build_exercise(enrolment.training, rules=[("contains_any", ROLE)])
    submission = assessment_services.exercise_submit(
        enrolment=enrolment, exercise=exercise, prompt="Écris un poème."
    )
    submission.refresh_from_db()
    assert not submission.passed
    assert assessment_selectors.submission_ai_unavailable(submission)
    assert ExerciseSubmission.objects.count() == 1


# Catastrophic backtracking under Python's `re`: nested quantifiers on a run of word characters with no « ? ».
EVIL_REGEX = r"^(\w+\s?)+\?$"
EVIL_ANSWER = "a" * 40
# A pattern that backtracks exponentially even under the `regex` package (alternatives overlapping).
SLOW_REGEX = r"(a|aa)+$"


@pytest.fixture
def hang_guard():
    """Turns a frozen regex into a test failure instead of a frozen test run (the check sees signals)."""
    import signal

    def _frozen(signum, frame):
        raise AssertionError("the rubric regex froze the worker")

    previous = signal.signal(signal.SIGALRM, _frozen)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_the_reported_backtracking_regex_does_not_freeze_the_check(hang_guard):
    assert not check("regex", EVIL_REGEX, EVIL_ANSWER)
    assert check("regex", EVIL_REGEX, "Tu es un expert ?")


def test_a_regex_that_runs_too_long_is_stopped_not_met_and_logged(hang_guard, caplog, monkeypatch):
    monkeypatch.setattr(assessments, "REGEX_TIMEOUT", 0.05, raising=False)
    with caplog.at_level(logging.WARNING, logger="frenchbot.courses.assessments"):
        assert not check("regex", SLOW_REGEX, "a" * 40 + "!")
    assert "timed out" in caplog.text


def test_staff_cannot_save_a_regex_that_backtracks_forever(hang_guard):
    from django.core.exceptions import ValidationError

    exercise = build_exercise(EnrolmentFactory().training, rules=[("contains_any", "tu es")])
    criterion = RubricCriterion(
        exercise=exercise,
        label="Question",
        rule=RubricCriterion.Check.REGEX,
        values=SLOW_REGEX,
        feedback_ok="Bien.",
        feedback_missing="Posez une question.",
    )
    with pytest.raises(ValidationError) as raised:
        criterion.full_clean()
    assert "trop lente" in str(raised.value)
    criterion.values = "([a-z"
    with pytest.raises(ValidationError) as raised:
        criterion.full_clean()
    assert "invalide" in str(raised.value)
    for fine in (r"\?\s*$", EVIL_REGEX):
        criterion.values = fine
        criterion.full_clean()
