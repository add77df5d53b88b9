import pytest

from frenchbot.audits import demo
from frenchbot.audits.demo import audits_demo_load
from frenchbot.audits.models import Difficulty, Opportunity, Option, Question, Questionnaire, Track
from frenchbot.core.datafiles import DataFileError
from frenchbot.core.tests.datafiles import data_file_break, demo_data_copy

pytestmark = pytest.mark.django_db

# The demo as it was when it moved from Python to data files: the data must load exactly this.
DEMO_COUNTS = {Questionnaire: 2, Question: 26, Option: 104, Opportunity: 11}


def test_the_data_files_load_the_whole_demo_and_a_second_load_adds_nothing():
    assert audits_demo_load() == {"questionnaires": 2, "opportunities": 11}
    assert audits_demo_load() == {"questionnaires": 0, "opportunities": 0}
    assert {model: model.objects.count() for model in DEMO_COUNTS} == DEMO_COUNTS
    assert Question.objects.filter(questionnaire__track=Track.INDIVIDUAL).count() == 12
    assert Question.objects.filter(questionnaire__track=Track.BUSINESS).count() == 14


def test_the_data_files_keep_their_texts_with_french_typography():
    audits_demo_load()
    individual = Questionnaire.objects.get(track=Track.INDIVIDUAL)
    assert individual.title == "Audit IA — particulier"
    assert individual.intro == (
        "Douze questions, cinq minutes\u00a0: où en êtes-vous avec l'IA dans votre travail\u00a0?"
    )
    question = individual.questions.get(order=6)
    assert (question.dimension, question.weight, question.help) == ("processes", 2, "Une estimation suffit.")
    assert question.text == (
        "Combien de temps passez-vous chaque semaine sur des tâches répétitives "
        "(e-mails, saisie, copier-coller)\u00a0?"
    )
    assert [(o.text, o.score) for o in question.options.order_by("order")] == [
        ("Plus de 10 heures", 0),
        ("Entre 5 et 10 heures", 1),
        ("Entre 1 et 5 heures", 3),
        ("Moins d'une heure", 4),
    ]
    # A shared scale (scales.toml).
    shared = individual.questions.get(order=3)
    assert [(o.text, o.score) for o in shared.options.order_by("order")] == [
        ("Non", 0),
        ("Je ne sais pas", 1),
        ("En partie", 3),
        ("Oui", 4),
    ]

    automation = Opportunity.objects.get(task="Automatiser la saisie entre vos outils")
    assert automation.description == "Formulaires, tableurs et CRM reliés sans copier-coller."
    assert (automation.tools, automation.hours_saved_per_month, automation.difficulty) == (
        "Make, Zapier, n8n",
        12,
        Difficulty.MEDIUM,
    )
    assert (automation.track, automation.dimension, automation.threshold) == ("", "processes", 60)
    triggers = automation.trigger_options.select_related("question__questionnaire")
    assert sorted((o.question.questionnaire.track, o.question.order, o.text) for o in triggers) == [
        ("business", 7, "Plus de 20 heures"),
        ("individual", 6, "Plus de 10 heures"),
        ("individual", 7, "Non"),
    ]
    assert Opportunity.objects.filter(trigger_options__isnull=False).distinct().count() == 1
    prompts = Opportunity.objects.get(task="Écrire de meilleures consignes (prompts)")
    assert prompts.description == "Une méthode simple\u00a0: rôle, contexte, tâche, format, exemples."


@pytest.fixture
def demo_copy(tmp_path, monkeypatch):
    """A copy of the demo data that a test may break; the loader reads it instead of the real one."""
    return demo_data_copy(demo, tmp_path=tmp_path, monkeypatch=monkeypatch)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("scales.toml", "yes_no = [", "yes_no = ", "scales.toml: "),
        (
            "questionnaires/individual.toml",
            'scale = "frequency"',
            'scale = "frequence"',
            "no scale 'frequence'",
        ),
        ("questionnaires/individual.toml", "weight = 2", "poids = 2", "question 1: unknown key 'poids'"),
        ("questionnaires/individual.toml", "weight = 2", "", "question 1: 'weight' is missing"),
        (
            "questionnaires/business.toml",
            'dimension = "usage"',
            'dimension = "use"',
            "question 1: dimension: ",
        ),
        (
            "questionnaires/business.toml",
            'scale = "yes_no"',
            'scale = "yes_no"\noptions = []',
            "either 'scale'",
        ),
        ("opportunities.toml", 'difficulty = "easy"', 'difficulty = "facile"', "opportunity 1: 'difficulty'"),
        ("opportunities.toml", "threshold = 60", "threshold = 160", "opportunity 1: threshold: "),
        (
            "opportunities.toml",
            "questions = [6, 7]",
            'questions = "6, 7"',
            "trigger: 'questions' should be a list",
        ),
    ],
)
def test_a_malformed_data_file_is_named_in_a_clear_error_and_nothing_is_created(
    demo_copy, file, old, new, message
):
    data_file_break(demo_copy / file, old, new)

    with pytest.raises(DataFileError) as error:
        audits_demo_load()

    assert str(error.value).startswith(f"frenchbot/audits/demo/{file}"), str(error.value)
    assert message in str(error.value), str(error.value)
    assert not Questionnaire.objects.exists() and not Opportunity.objects.exists()


def test_a_questionnaire_file_not_named_after_a_track_is_refused(demo_copy):
    (demo_copy / "questionnaires" / "entreprise.toml").write_text("", encoding="utf-8")
    with pytest.raises(
        DataFileError, match="frenchbot/audits/demo/questionnaires/entreprise.toml: a questionnaire is named"
    ):
        audits_demo_load()
