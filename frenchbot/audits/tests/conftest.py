import pytest

from frenchbot.audits.models import Difficulty, Opportunity, Option, Question, Questionnaire, Track


@pytest.fixture
def small(db):
    """Three questions over two dimensions with known weights, and a five-entry catalogue.

    usage: Q1 (weight 2: 0 or 4), Q2 (weight 1: 0 or 2); data: Q3 (weight 1: 0 or 4).
    """
    questionnaire = Questionnaire.objects.create(
        track=Track.INDIVIDUAL, title="Audit test", intro="Intro test"
    )
    q1 = Question.objects.create(
        questionnaire=questionnaire, dimension="usage", text="Q1 ?", order=1, weight=2
    )
    q2 = Question.objects.create(
        questionnaire=questionnaire, dimension="usage", text="Q2 ?", order=2, weight=1
    )
    q3 = Question.objects.create(
        questionnaire=questionnaire, dimension="data", text="Q3 ?", order=3, weight=1
    )
    o = {
        "a0": Option.objects.create(question=q1, text="A0", score=0, order=1),
        "a1": Option.objects.create(question=q1, text="A1", score=4, order=2),
        "b0": Option.objects.create(question=q2, text="B0", score=0, order=1),
        "b1": Option.objects.create(question=q2, text="B1", score=2, order=2),
        "c0": Option.objects.create(question=q3, text="C0", score=0, order=1),
        "c1": Option.objects.create(question=q3, text="C1", score=4, order=2),
    }
    opp = {
        "data_low": Opportunity.objects.create(
            task="Données",
            tools="Make",
            hours_saved_per_month=10,
            difficulty=Difficulty.MEDIUM,
            dimension="data",
            threshold=50,
        ),
        "usage_low": Opportunity.objects.create(
            task="Usage",
            tools="ChatGPT",
            hours_saved_per_month=6,
            difficulty=Difficulty.EASY,
            dimension="usage",
            threshold=50,
        ),
        "by_option": Opportunity.objects.create(
            task="Option B0",
            tools="Le Chat",
            hours_saved_per_month=2,
            difficulty=Difficulty.EASY,
            dimension="usage",
            threshold=0,
        ),
        "business_only": Opportunity.objects.create(
            task="Entreprise",
            tools="Copilot",
            hours_saved_per_month=50,
            difficulty=Difficulty.EASY,
            dimension="data",
            threshold=100,
            track=Track.BUSINESS,
        ),
        "processes": Opportunity.objects.create(
            task="Processus",
            tools="Zapier",
            hours_saved_per_month=1,
            difficulty=Difficulty.EASY,
            dimension="processes",
            threshold=100,
        ),
    }
    opp["by_option"].trigger_options.add(o["b0"])
    return {"questionnaire": questionnaire, "questions": [q1, q2, q3], "options": o, "opportunities": opp}


def answers_for(small, *keys) -> dict:
    """Question id → option id for option keys given in question order."""
    return {q.id: small["options"][k].id for q, k in zip(small["questions"], keys, strict=True)}
