import re

import pytest
from django.core.management import call_command

from frenchbot.core.datafiles import DataFileError
from frenchbot.core.tests.datafiles import data_file_break, demo_data_copy
from frenchbot.core.text import render_markdown
from frenchbot.courses import demo
from frenchbot.courses.demo import courses_demo_load, courses_demo_trainings
from frenchbot.courses.models import (
    AccessCode,
    Audience,
    Lesson,
    Module,
    PromptExercise,
    Quiz,
    QuizChoice,
    QuizQuestion,
    RubricCriterion,
    Training,
)

pytestmark = pytest.mark.django_db

SLUGS = ["chatgpt-au-quotidien", "ia-dans-votre-pme"]

# A good prompt a learner might write for each exercise (keyed on the exercise's title), and a poor one.
MODEL_ANSWERS = {
    "Exercice : un e-mail de réclamation à un transporteur": (
        "Vous êtes un conseiller en consommation qui connaît bien les droits des clients. J'ai commandé en ligne "
        "une lampe à 89 € ; le transporteur l'a livrée avec trois jours de retard, déposée sans signature, et le "
        "pied était cassé à l'ouverture du colis. J'ai gardé l'emballage et pris des photos. Rédigez un e-mail de "
        "réclamation au service client du transporteur pour demander le remboursement ou le remplacement de la "
        "lampe. Un objet clair, puis trois paragraphes courts, 150 mots maximum. Ton courtois mais ferme, sans "
        "menace."
    ),
    "Exercice : résumer un compte rendu de réunion en 5 points": (
        "Tu es le secrétaire d'une association de parents d'élèves. Voici le compte rendu de notre dernière "
        "réunion : [COMPTE RENDU]. Résume-le en 5 points pour les parents qui n'étaient pas présents, une phrase "
        "par point, avec les dates et les décisions prises. N'ajoute rien qui ne figure pas dans le texte."
    ),
    "Exercice : faire rédiger une annonce de recrutement": (
        "Vous êtes chargé de recrutement dans une PME. Notre menuiserie de 18 salariés, installée près d'Angers, "
        "fabrique des fenêtres et des escaliers sur mesure. Nous recrutons en CDI un ou une assistante "
        "administrative et commerciale : accueil téléphonique, devis simples, suivi des commandes et relances de "
        "factures. Rédigez l'annonce en quatre parties : l'entreprise, les missions, le profil recherché, les "
        "conditions. 250 mots au maximum, ton chaleureux et direct. L'annonce doit être non discriminatoire : "
        "aucun critère d'âge, de sexe ou de situation familiale, intitulé H/F. Pour le ton, par exemple : "
        "« Chez nous, chaque fenêtre est unique, et votre rôle aussi. »"
    ),
    "Exercice : l'assistant des questions fréquentes": (
        "Vous êtes l'assistant du service client de Jardin & Co, boutique en ligne de matériel de jardinage. "
        "Vous répondez aux questions des clients en vous appuyant uniquement sur la FAQ et les conditions "
        "générales de vente fournies. N'inventez jamais un prix, un délai ou une garantie. Si la réponse n'est "
        "pas dans la FAQ, dites que vous ne savez pas et proposez de transmettre la question à un conseiller. "
        "Vouvoiement, ton cordial, 100 mots au maximum.\n"
        "Exemple : à la question « Puis-je retourner une tondeuse ? », répondez « Oui, vous avez 30 jours pour "
        "nous la retourner dans son emballage d'origine. »"
    ),
}
POOR_PROMPT = "résume ce texte"


def _words(text: str) -> int:
    return len(text.split())


def test_load_creates_two_complete_published_trainings():
    created = courses_demo_load()

    assert created["trainings"] == 2
    assert created["modules"] == Module.objects.count() >= 6
    assert created["lessons"] == Lesson.objects.count()
    assert created["quizzes"] == Quiz.objects.count() == created["modules"]
    assert created["exercises"] == PromptExercise.objects.count() == 4
    assert sorted(created["codes"]) == ["DECOUVERTE-CHATGPT", "DECOUVERTE-PME"]

    individual = Training.objects.get(slug="chatgpt-au-quotidien")
    business = Training.objects.get(slug="ia-dans-votre-pme")
    assert (individual.audience, individual.level, float(individual.duration_hours)) == (
        Audience.INDIVIDUAL,
        "beginner",
        6.0,
    )
    assert (business.audience, business.level, float(business.duration_hours)) == (
        Audience.BUSINESS,
        "intermediate",
        10.5,
    )
    assert business.price_text == "Sur devis, à partir de 1\u00a0900\u00a0€ HT pour 5 personnes"
    for training in (individual, business):
        training.full_clean()
        assert training.is_published
        assert training.summary and training.description and training.price_text
        assert len(training.outcome_list) >= 4
        modules = list(training.modules.filter(is_published=True))
        assert len(modules) >= 3
        assert training.modules.filter(exercises__isnull=False).distinct().count() == 2
        for module in modules:
            module.full_clean()
            lessons = list(module.lessons.all())
            assert 2 <= len(lessons) <= 4, module.title
            assert module.quizzes.count() == 1


def test_lessons_are_real_markdown_lessons():
    courses_demo_load()
    lessons = list(Lesson.objects.select_related("module"))
    assert len(lessons) >= 20
    for lesson in lessons:
        lesson.full_clean()
        assert lesson.is_published
        assert 250 <= _words(lesson.body) <= 600, (lesson.title, _words(lesson.body))
        assert 5 <= lesson.minutes <= 30
        assert "\n## " in "\n" + lesson.body, lesson.title
        assert "> **À retenir\u00a0:**" in lesson.body, lesson.title
        # A concrete prompt to try: a fenced block or a quote other than the « À retenir » box.
        quotes = [
            line for line in lesson.body.splitlines() if line.startswith("> ") and "À retenir" not in line
        ]
        assert "```" in lesson.body or quotes, lesson.title
        html = render_markdown(lesson.body)
        assert "<h2" in html and "<blockquote>" in html, lesson.title
        assert "<ul>" in html or "<ol>" in html or "<table>" in html, lesson.title


def test_french_typography_is_applied():
    courses_demo_load()
    texts = [lesson.title + lesson.body for lesson in Lesson.objects.all()]
    texts += [q.text + q.explanation for q in QuizQuestion.objects.all()]
    texts += [c.text for c in QuizChoice.objects.all()]
    texts += [e.title + e.task for e in PromptExercise.objects.all()]
    texts += [c.label + c.feedback_ok + c.feedback_missing for c in RubricCriterion.objects.all()]
    texts += [t.summary + t.description + t.outcomes for t in Training.objects.all()]
    for text in texts:
        assert not re.search(r" [:;!?»]", text), text[:80]
        assert "« " not in text, text[:80]


def test_only_the_first_lesson_of_each_training_is_a_preview():
    courses_demo_load()
    previews = Lesson.objects.filter(is_preview=True).select_related("module__training")
    assert sorted(lesson.module.training.slug for lesson in previews) == sorted(SLUGS)
    for lesson in previews:
        first = Lesson.objects.filter(module__training=lesson.module.training).order_by(
            "module__order", "order"
        )
        assert first.first() == lesson


def test_steps_interleave_in_module_order():
    courses_demo_load()
    for module in Module.objects.all():
        lesson_orders = list(module.lessons.values_list("order", flat=True))
        assert lesson_orders == [10 * (i + 1) for i in range(len(lesson_orders))]
        quiz = module.quizzes.get()
        assert quiz.order > max(lesson_orders)
        for exercise in module.exercises.all():
            assert max(lesson_orders) < exercise.order < quiz.order
    for training in Training.objects.all():
        orders = list(training.modules.values_list("order", flat=True))
        assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_quizzes_have_valid_questions():
    courses_demo_load()
    for quiz in Quiz.objects.all():
        quiz.full_clean()
        assert quiz.pass_mark == 70
        questions = list(quiz.questions.prefetch_related("choices"))
        assert 4 <= len(questions) <= 6, quiz.title
        kinds = {q.kind for q in questions}
        assert kinds == {QuizQuestion.Kind.SINGLE, QuizQuestion.Kind.MULTIPLE}, quiz.title
        for question in questions:
            question.full_clean()
            assert question.explanation.strip(), question.text
            choices = list(question.choices.all())
            assert len(choices) >= 3, question.text
            for choice in choices:
                choice.full_clean()
            correct = sum(c.is_correct for c in choices)
            if question.kind == QuizQuestion.Kind.SINGLE:
                assert correct == 1, question.text
            else:
                assert 1 <= correct < len(choices), question.text


def test_exercises_have_usable_rubrics():
    courses_demo_load()
    rules = set(RubricCriterion.Check.values)
    needs_values = {RubricCriterion.Check.CONTAINS_ANY, RubricCriterion.Check.CONTAINS_ALL}
    for training in Training.objects.all():
        assert PromptExercise.objects.filter(module__training=training).count() == 2
    for exercise in PromptExercise.objects.all():
        exercise.full_clean()
        criteria = list(exercise.criteria.all())
        assert 4 <= len(criteria) <= 5, exercise.title
        assert 0 <= exercise.pass_criteria <= len(criteria)
        for item in criteria:
            item.full_clean()
            assert item.rule in rules
            assert item.feedback_ok.strip() and item.feedback_missing.strip()
            values = [v for v in item.values.splitlines() if v.strip()]
            if item.rule in needs_values:
                assert values, item.label
            elif item.rule == RubricCriterion.Check.MIN_WORDS:
                assert values and values[0].strip().isdigit(), item.label
            elif item.rule == RubricCriterion.Check.REGEX:
                assert values, item.label
                re.compile(values[0], re.IGNORECASE)


def test_each_task_states_its_own_pass_threshold():
    courses_demo_load()
    numbers = {3: "trois", 4: "quatre", 5: "cinq"}
    for exercise in PromptExercise.objects.all():
        total = exercise.criteria.count()
        needed = exercise.pass_criteria or total
        task = " ".join(exercise.task.split())
        assert f"grille de {numbers[total]} critères" in task, exercise.title
        assert f"il en faut {numbers[needed]} pour réussir" in task, exercise.title


def test_second_load_creates_nothing():
    courses_demo_load()
    counts = [
        m.objects.count() for m in (Training, Module, Lesson, Quiz, QuizQuestion, PromptExercise, AccessCode)
    ]

    again = courses_demo_load()

    assert again == {"trainings": 0, "modules": 0, "lessons": 0, "quizzes": 0, "exercises": 0, "codes": []}
    assert [
        m.objects.count() for m in (Training, Module, Lesson, Quiz, QuizQuestion, PromptExercise, AccessCode)
    ] == counts


def test_a_training_already_there_is_left_alone():
    Training.objects.create(
        slug="chatgpt-au-quotidien",
        title="Version de l'équipe",
        summary="Modifiée dans l'admin",
        audience=Audience.INDIVIDUAL,
        level="beginner",
        duration_hours=3,
    )

    created = courses_demo_load()

    assert created["trainings"] == 1
    assert created["codes"] == ["DECOUVERTE-PME"]
    kept = Training.objects.get(slug="chatgpt-au-quotidien")
    assert kept.title == "Version de l'équipe" and not kept.modules.exists()


def test_access_codes_open_their_training():
    courses_demo_load()
    for data in courses_demo_trainings():
        code = AccessCode.objects.get(code=data["access_code"])
        assert code.training.slug == data["slug"]
        assert code.code == code.code.upper() and len(code.code) <= 32
        assert code.max_uses == 1000 and code.uses == 0 and code.expires_at is None


def test_demo_command_loads_the_trainings_once(tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_login=True)
    out = capsys.readouterr().out
    assert "Formations\u00a0:" in out or "Formations :" in out
    assert "DECOUVERTE-CHATGPT" in out
    assert Training.objects.filter(slug__in=SLUGS, is_published=True).count() == 2

    call_command("demo", quiet_login=True)
    assert "Formations" not in capsys.readouterr().out
    assert Training.objects.filter(slug__in=SLUGS).count() == 2


def test_model_answers_pass_and_a_poor_prompt_does_not():
    assessments = pytest.importorskip("frenchbot.courses.assessments")
    courses_demo_load()
    exercises = list(PromptExercise.objects.all())
    assert sorted(e.title for e in exercises) == sorted(t.replace(" : ", "\u00a0: ") for t in MODEL_ANSWERS)
    for exercise in exercises:
        answer = MODEL_ANSWERS[exercise.title.replace("\u00a0", " ")]
        results = assessments.exercise_check(exercise=exercise, prompt=answer)
        missed = [r.label for r in results if not r.met]
        assert assessments.exercise_passed(exercise=exercise, results=results), (exercise.title, missed)
        # The model answers are meant to be complete: every criterion, not just the threshold.
        assert not missed, (exercise.title, missed)

        poor = assessments.exercise_check(exercise=exercise, prompt=POOR_PROMPT)
        assert not assessments.exercise_passed(exercise=exercise, results=poor), exercise.title
        assert sum(r.met for r in poor) <= 1, exercise.title


# The demo as it was when it moved from Python to data files: the data must load exactly this.
DEMO_COUNTS = {
    Training: 2,
    Module: 8,
    Lesson: 25,
    Quiz: 8,
    QuizQuestion: 42,
    QuizChoice: 142,
    PromptExercise: 4,
    RubricCriterion: 19,
    AccessCode: 2,
}


def test_the_data_files_load_the_whole_demo_and_a_second_load_adds_nothing():
    created = courses_demo_load()
    again = courses_demo_load()

    assert created == {
        "trainings": 2,
        "modules": 8,
        "lessons": 25,
        "quizzes": 8,
        "exercises": 4,
        "codes": ["DECOUVERTE-CHATGPT", "DECOUVERTE-PME"],
    }
    assert again == {"trainings": 0, "modules": 0, "lessons": 0, "quizzes": 0, "exercises": 0, "codes": []}
    assert {model: model.objects.count() for model in DEMO_COUNTS} == DEMO_COUNTS


def test_the_data_files_keep_their_texts_with_french_typography():
    courses_demo_load()
    lesson = Lesson.objects.get(module__training__slug="chatgpt-au-quotidien", module__order=10, order=10)
    assert lesson.title == "Qu'est-ce que ChatGPT, au juste\u00a0?"
    assert lesson.slug == "quest-ce-que-chatgpt-au-juste" and lesson.minutes == 12 and lesson.is_preview
    assert lesson.body.startswith(
        "## Un outil qui écrit, pas un moteur de recherche\n\nChatGPT est un assistant"
    )
    assert (
        "Vous lui écrivez une demande en français courant\u00a0; il vous répond en quelques secondes"
        in lesson.body
    )
    assert "Il ne «\u00a0sait\u00a0» pas les choses comme une encyclopédie\u00a0: il produit" in lesson.body
    assert lesson.body.endswith("\n") and not lesson.body.endswith("\n\n")

    question = QuizQuestion.objects.get(text="Comment ChatGPT produit-il ses réponses\u00a0?")
    assert question.kind == QuizQuestion.Kind.SINGLE and question.order == 1
    assert question.quiz.title == "Quiz\u00a0: Premiers pas avec ChatGPT"
    assert [(c.text, c.is_correct) for c in question.choices.order_by("order")] == [
        ("Il recherche la réponse exacte dans une base de données vérifiée.", False),
        ("Il prédit, mot après mot, la suite la plus probable d'un texte.", True),
        ("Des employés d'OpenAI rédigent les réponses en direct.", False),
    ]

    asked = RubricCriterion.objects.get(label="Dit ce que vous demandez au transporteur")
    assert (asked.rule, asked.order, asked.exercise.pass_criteria) == ("contains_any", 3, 4)
    assert asked.values == "rembours*\nremplac*\néchange\ndédommag*\nindemnis*\ngeste commercial"
    assert asked.feedback_ok == "L'objectif est clair\u00a0: l'e-mail se terminera par une demande précise."
    # A shared word list (words.toml), untouched by typography like every rubric value.
    role = RubricCriterion.objects.filter(label="Donne un rôle à l'assistant").first()
    assert role.values.splitlines()[:3] == ["tu es", "vous êtes", "en tant que"]
    assert len(role.values.splitlines()) == 11

    individual = Training.objects.get(slug="chatgpt-au-quotidien")
    assert individual.price_text == "190\u00a0€ TTC par personne, accès pendant un an"
    assert (
        individual.outcome_list[2]
        == "Écrire un prompt complet\u00a0: rôle, contexte, tâche, format, contraintes, exemple"
    )
    assert individual.description.startswith("Vous avez entendu parler de ChatGPT")
    assert "## Pour qui\u00a0?" in individual.description


@pytest.fixture
def demo_copy(tmp_path, monkeypatch):
    """A copy of the demo data that a test may break; the loader reads it instead of the real one."""
    return demo_data_copy(demo, tmp_path=tmp_path, monkeypatch=monkeypatch)


CHATGPT = "chatgpt-au-quotidien"
M1 = f"{CHATGPT}/1-premiers-pas-avec-chatgpt"
M2 = f"{CHATGPT}/2-ecrire-de-bons-prompts"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (f"{M1}/quiz.toml", 'kind = "single"', 'kind = "single', "quiz.toml: "),
        (f"{M1}/quiz.toml", "explanation = ", "explication = ", "question 1: unknown key 'explication'"),
        (
            f"{M1}/quiz.toml",
            "correct = false }",
            "correct = true }",
            "question 1: a « single » question has 2 correct choices",
        ),
        (f"{M1}/quiz.toml", 'kind = "single"', 'kind = "unique"', "quiz.toml, question 1: kind: "),
        (
            f"{M2}/exercise.toml",
            "feedback_ok = ",
            "# feedback_ok = ",
            "exercise.toml, criterion 1: 'feedback_ok' is missing",
        ),
        (
            f"{M2}/exercise.toml",
            'values_from = "role_words"',
            'values_from = "roles"',
            "no word list 'roles'",
        ),
        (
            f"{M2}/exercise.toml",
            'rule = "min_words"',
            'rule = "min_word"',
            "exercise.toml, criterion 2: rule: ",
        ),
        (
            f"{M2}/exercise.toml",
            "pass_criteria = 4",
            'pass_criteria = "4"',
            "'pass_criteria' should be a whole number",
        ),
        (
            f"{M1}/01-quest-ce-que-chatgpt-au-juste.md",
            "minutes: 12",
            "minutes: douze",
            "au-juste.md: 'minutes'",
        ),
        (
            f"{M1}/01-quest-ce-que-chatgpt-au-juste.md",
            "---\ntitle",
            "title",
            "au-juste.md: the file should start",
        ),
        (
            f"{CHATGPT}/training.toml",
            'folder = "1-premiers',
            'folder = "1-premier',
            "no module folder '1-premier-",
        ),
        (
            f"{CHATGPT}/training.toml",
            "duration_hours = 6.0",
            'duration_hours = "6 h"',
            "'duration_hours' should be",
        ),
        (
            f"{CHATGPT}/training.toml",
            'audience = "individual"',
            'audience = "solo"',
            "training.toml: audience: ",
        ),
        (
            "words.toml",
            "role_words = [",
            "role_words = [1, ",
            "words.toml: 'role_words' should be a list of texts",
        ),
    ],
)
def test_a_malformed_data_file_is_named_in_a_clear_error_and_nothing_is_created(
    demo_copy, file, old, new, message
):
    data_file_break(demo_copy / file, old, new)

    with pytest.raises(DataFileError) as error:
        courses_demo_load()

    assert str(error.value).startswith(f"frenchbot/courses/demo/{file}"), str(error.value)
    assert message in str(error.value)
    assert not Training.objects.exists() and not AccessCode.objects.exists()


def test_a_stray_file_or_folder_is_refused_rather_than_ignored(demo_copy):
    (demo_copy / M1 / "quizz.toml").write_text("", encoding="utf-8")
    with pytest.raises(DataFileError, match=f"frenchbot/courses/demo/{M1}/quizz.toml: unexpected file"):
        courses_demo_trainings()
    (demo_copy / M1 / "quizz.toml").unlink()

    (demo_copy / CHATGPT / "5-bonus").mkdir()
    with pytest.raises(DataFileError, match=f"frenchbot/courses/demo/{CHATGPT}/5-bonus: this folder is not"):
        courses_demo_trainings()
