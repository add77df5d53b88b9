import pytest

from frenchbot.audits.demo import audits_demo_load
from frenchbot.audits.models import Audit, Dimension, Option, Questionnaire
from frenchbot.audits.services import AuditError, audit_attach_email, audit_score, audit_submit
from frenchbot.leads.models import ConsentRecord, Lead

from .conftest import answers_for

CONSENT = "J'accepte d'être recontacté."


def test_scores_levels_and_opportunities(small):
    report = audit_score(questionnaire=small["questionnaire"], answers=answers_for(small, "a1", "b1", "c0"))
    # usage: (2×4 + 1×2) / (2×4 + 1×4) = 10/12 → 83; data: 0/4 → 0; overall 10/16 = 62,5 → 63.
    assert report["scores"] == {"usage": 83, "data": 0}
    assert report["overall"] == 63
    assert report["level"] == "practitioner"
    tasks = [o["task"] for o in report["opportunities"]]
    # Only "Données" is triggered (data 0 < 50); the rest tops up to 3 by hours per difficulty; never the
    # other track's entry, nor one of a dimension the questionnaire does not ask about when triggered ones exist.
    assert tasks == ["Données", "Usage", "Option B0"]
    assert [o["reason"] for o in report["opportunities"]] == ["score", "catalogue", "catalogue"]
    assert "Entreprise" not in tasks


def test_option_trigger_comes_first(small):
    report = audit_score(questionnaire=small["questionnaire"], answers=answers_for(small, "a1", "b0", "c0"))
    assert report["scores"]["usage"] == 67
    assert [o["task"] for o in report["opportunities"]][:2] == ["Option B0", "Données"]
    assert report["opportunities"][0]["reason"] == "option"


def test_levels_at_the_extremes(small):
    low = audit_score(questionnaire=small["questionnaire"], answers=answers_for(small, "a0", "b0", "c0"))
    high = audit_score(questionnaire=small["questionnaire"], answers=answers_for(small, "a1", "b1", "c1"))
    assert (low["overall"], low["level"]) == (0, "beginner")
    assert high["scores"] == {"usage": 83, "data": 100}
    assert (high["overall"], high["level"]) == (88, "advanced")


def test_same_answers_same_report_whatever_the_order(small):
    answers = answers_for(small, "a0", "b1", "c1")
    reversed_answers = dict(reversed(list(answers.items())))
    first = audit_score(questionnaire=small["questionnaire"], answers=answers)
    assert audit_score(questionnaire=small["questionnaire"], answers=reversed_answers) == first
    audit_a = audit_submit(questionnaire=small["questionnaire"], answers=answers)
    audit_b = audit_submit(questionnaire=small["questionnaire"], answers=reversed_answers)
    assert audit_a.report == audit_b.report == first
    assert audit_a.id != audit_b.id


def test_submit_saves_answers_scores_and_level(small):
    audit = audit_submit(questionnaire=small["questionnaire"], answers=answers_for(small, "a1", "b1", "c0"))
    audit.refresh_from_db()
    assert audit.track == "individual"
    assert audit.overall == 63 and audit.level == "practitioner"
    assert audit.scores == {"usage": 83, "data": 0}
    assert audit.answers == {str(k): v for k, v in answers_for(small, "a1", "b1", "c0").items()}
    assert audit.email == "" and audit.consent_at is None
    assert Lead.objects.count() == 0


def test_missing_answer_is_refused_and_nothing_written(small):
    answers = answers_for(small, "a1", "b1", "c0")
    q3 = small["questions"][2]
    del answers[q3.id]
    with pytest.raises(AuditError) as excinfo:
        audit_submit(questionnaire=small["questionnaire"], answers=answers)
    assert excinfo.value.errors == {q3.id: "Répondez à cette question."}
    assert "1 question à compléter" in excinfo.value.message
    assert Audit.objects.count() == 0


def test_forged_option_of_another_question_is_refused(small):
    answers = answers_for(small, "a1", "b1", "c0")
    q1 = small["questions"][0]
    answers[q1.id] = small["options"]["c1"].id
    with pytest.raises(AuditError) as excinfo:
        audit_submit(questionnaire=small["questionnaire"], answers=answers)
    assert "ne correspond pas" in excinfo.value.errors[q1.id]
    assert Audit.objects.count() == 0


@pytest.mark.parametrize("forged", ["abc", "999999", "", None, "1.5"])
def test_forged_or_empty_values_are_refused(small, forged):
    answers = answers_for(small, "a1", "b1", "c0")
    answers[small["questions"][1].id] = forged
    with pytest.raises(AuditError):
        audit_submit(questionnaire=small["questionnaire"], answers=answers)
    assert Audit.objects.count() == 0


def test_two_answers_to_one_question_are_refused(small):
    answers = answers_for(small, "a1", "b1", "c0")
    q1 = small["questions"][0]
    answers[q1.id] = [small["options"]["a0"].id, small["options"]["a1"].id]
    with pytest.raises(AuditError) as excinfo:
        audit_submit(questionnaire=small["questionnaire"], answers=answers)
    assert excinfo.value.errors[q1.id] == "Choisissez une seule réponse à cette question."
    assert Audit.objects.count() == 0


def test_answer_to_a_question_of_another_questionnaire_is_refused(small):
    answers = answers_for(small, "a1", "b1", "c0")
    answers[987654] = small["options"]["a1"].id
    with pytest.raises(AuditError) as excinfo:
        audit_submit(questionnaire=small["questionnaire"], answers=answers)
    assert "__all__" in excinfo.value.errors
    assert Audit.objects.count() == 0


def test_email_with_consent_creates_the_lead(small):
    audit = audit_submit(
        questionnaire=small["questionnaire"],
        answers=answers_for(small, "a1", "b1", "c0"),
        email=" Marie@Example.FR ",
        consent=True,
        consent_text=CONSENT,
        ip="203.0.113.5",
    )
    lead = Lead.objects.get(email="marie@example.fr")
    assert lead.source == "audit"
    event = lead.events.get(kind="audit_completed")
    assert event.payload == {"audit_id": str(audit.id), "overall": 63, "level": "practitioner"}
    consent = ConsentRecord.objects.get(lead=lead)
    assert consent.text == CONSENT and consent.purpose == "audit"
    assert consent.ip_fingerprint and "203.0.113.5" not in consent.ip_fingerprint
    assert audit.email == "marie@example.fr" and audit.consent_at is not None


@pytest.mark.parametrize(
    ("email", "consent", "field"),
    [("marie@example.fr", False, "consent"), ("pas-une-adresse", True, "email")],
)
def test_email_without_consent_or_invalid_writes_nothing(small, email, consent, field):
    with pytest.raises(AuditError) as excinfo:
        audit_submit(
            questionnaire=small["questionnaire"],
            answers=answers_for(small, "a1", "b1", "c0"),
            email=email,
            consent=consent,
            consent_text=CONSENT,
        )
    assert field in excinfo.value.errors and excinfo.value.field == field
    assert Audit.objects.count() == 0 and Lead.objects.count() == 0


def test_email_given_afterwards(small):
    audit = audit_submit(questionnaire=small["questionnaire"], answers=answers_for(small, "a1", "b1", "c0"))
    with pytest.raises(AuditError):
        audit_attach_email(audit=audit, email="paul@example.fr", consent=False, consent_text=CONSENT)
    assert Lead.objects.count() == 0
    audit_attach_email(audit=audit, email="paul@example.fr", consent=True, consent_text=CONSENT)
    audit.refresh_from_db()
    assert audit.email == "paul@example.fr" and audit.consent_text == CONSENT
    assert Lead.objects.get(email="paul@example.fr").events.filter(kind="audit_completed").exists()


@pytest.mark.django_db
def test_demo_load_is_idempotent_and_complete():
    first = audits_demo_load()
    assert first["questionnaires"] == 2 and first["opportunities"] >= 10
    assert audits_demo_load() == {"questionnaires": 0, "opportunities": 0}
    for questionnaire in Questionnaire.objects.all():
        questions = list(questionnaire.questions.all())
        assert 10 <= len(questions) <= 15
        assert {q.dimension for q in questions} == set(Dimension.values)
        assert all(q.options.count() >= 2 for q in questions)
        worst = {q.id: min(q.options.all(), key=lambda o: o.score).id for q in questions}
        best = {q.id: max(q.options.all(), key=lambda o: o.score).id for q in questions}
        low = audit_score(questionnaire=questionnaire, answers=worst)
        high = audit_score(questionnaire=questionnaire, answers=best)
        assert low["overall"] == 0 and low["level"] == "beginner"
        assert high["overall"] == 100 and high["level"] == "advanced"
        assert 3 <= len(low["opportunities"]) <= 5
        assert 3 <= len(high["opportunities"]) <= 5
    assert Option.objects.filter(opportunities__isnull=False).exists()


def test_question_without_options_is_neither_shown_nor_required(small, client):
    from frenchbot.audits.models import Question

    draft = Question.objects.create(
        questionnaire=small["questionnaire"], dimension="skills", text="Brouillon ?"
    )
    report = audit_submit(
        questionnaire=small["questionnaire"], answers=answers_for(small, "a1", "b1", "c0")
    ).report
    assert report["overall"] == 63 and "skills" not in report["scores"]
    assert f'name="q{draft.id}"' not in client.get("/audit/particulier/").content.decode()


def test_empty_questionnaire_is_refused(db):
    empty = Questionnaire.objects.create(track="business", title="Vide")
    with pytest.raises(AuditError) as excinfo:
        audit_submit(questionnaire=empty, answers={})
    assert excinfo.value.code == "empty"
    assert Audit.objects.count() == 0


def test_admin_pages_load(admin_client, small):
    audit_submit(questionnaire=small["questionnaire"], answers=answers_for(small, "a1", "b1", "c0"))
    for name in ["questionnaire", "question", "opportunity", "audit"]:
        assert admin_client.get(f"/admin/audits/{name}/").status_code == 200, name
    q = small["questionnaire"]
    assert admin_client.get(f"/admin/audits/questionnaire/{q.id}/change/").status_code == 200
    assert admin_client.get(f"/admin/audits/question/{small['questions'][0].id}/change/").status_code == 200
    assert admin_client.get(f"/admin/audits/audit/{Audit.objects.get().id}/change/").status_code == 200
    assert admin_client.get("/admin/audits/opportunity/add/").status_code == 200
