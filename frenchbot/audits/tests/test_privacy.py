"""The audit's personal data under the RGPD rights: a person's audits found by the address they left, read back
plainly (with the report as a PDF), deleted on erasure, and the consent given with an address withdrawn."""

import io
import re

import pypdf
import pytest
from django.utils import translation

from frenchbot.audits.models import Audit
from frenchbot.audits.privacy import AUDIT
from frenchbot.audits.services import audit_submit
from frenchbot.booking import services as booking_services
from frenchbot.booking.models import Booking
from frenchbot.booking.selectors import slot_first_available
from frenchbot.booking.tests.factories import EventTypeFactory, TeamMemberFactory, every_day
from frenchbot.privacy.registry import Erasure, Subject, consent_sources, declaration_for

from .conftest import answers_for

pytestmark = pytest.mark.django_db

CONSENT = "J'accepte que The French Bot m'envoie mon rapport et me recontacte à son sujet."
JEANNE = Subject(emails=("jeanne.dupont@example.fr",))


def _audit(small, keys, email=""):
    return audit_submit(
        questionnaire=small["questionnaire"],
        answers=answers_for(small, *keys),
        email=email,
        consent=bool(email),
        consent_text=CONSENT if email else "",
        ip="198.51.100.7",
    )


@pytest.fixture
def people(small):
    """Jeanne did the audit twice with her address (typed differently); Paul once; someone once with none."""
    return {
        "jeanne": [
            _audit(small, ("a1", "b0", "c0"), email="Jeanne.Dupont@Example.fr"),
            _audit(small, ("a0", "b1", "c1"), email="jeanne.dupont@example.fr"),
        ],
        "paul": _audit(small, ("a1", "b1", "c1"), email="paul.martin@example.fr"),
        "anonymous": _audit(small, ("a0", "b0", "c0")),
    }


def _audit_consents():
    (source,) = [s for s in consent_sources() if s.treatment is AUDIT]
    return source


def _row(audit):
    return Audit.objects.filter(pk=audit.pk).values().get()


def test_the_treatment_says_the_policy_s_paragraph():
    (french,) = AUDIT.paragraphs()
    with translation.override("en"):
        (english,) = AUDIT.paragraphs()
    assert english != french  # the policy's own msgid, already translated
    assert "\u00a0:" in french
    assert AUDIT.ai_processing and AUDIT.order == 20


def test_audits_are_found_by_address_only(people):
    declaration = declaration_for("audits.Audit")
    assert {a.pk for a in declaration.rows(JEANNE)} == {a.pk for a in people["jeanne"]}
    assert [a.pk for a in declaration.rows(Subject(emails=("paul.martin@example.fr",)))] == [
        people["paul"].pk
    ]


def test_the_export_says_the_questions_and_the_answers_chosen(people, small):
    exported = declaration_for("audits.Audit").export_row(people["jeanne"][0])
    assert exported["vos réponses"] == [
        {"question": "Q1 ?", "réponse": "A1"},
        {"question": "Q2 ?", "réponse": "B0"},
        {"question": "Q3 ?", "réponse": "C0"},
    ]
    assert exported["e-mail"] == "jeanne.dupont@example.fr"
    assert exported["texte du consentement"] == CONSENT
    assert exported["score global"] == people["jeanne"][0].overall
    assert exported["scores par dimension"] == {"Usage de l'IA aujourd'hui": 67, "Données": 0}
    assert exported["opportunités proposées"][:2] == ["Option B0", "Données"]
    assert exported["parcours"] == "Particulier"


def test_the_archive_holds_the_report_as_a_pdf(people):
    audit = people["jeanne"][0]
    ((name, content),) = declaration_for("audits.Audit").files(audit)
    assert re.fullmatch(r"audit/rapport-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.pdf", name)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert "Vos opportunités prioritaires" in text


def test_erasure_deletes_the_person_s_audits_and_leaves_the_others(people):
    declaration = declaration_for("audits.Audit")
    assert declaration.erasure == Erasure.DELETE
    paul_before = _row(people["paul"])
    anonymous_before = _row(people["anonymous"])

    assert declaration.erase(declaration.rows(JEANNE)) == 2

    assert not Audit.objects.filter(email__iexact="jeanne.dupont@example.fr").exists()
    assert not Audit.objects.filter(pk__in=[a.pk for a in people["jeanne"]]).exists()
    assert _row(people["paul"]) == paul_before
    assert _row(people["anonymous"]) == anonymous_before


def test_a_booking_that_carried_an_erased_audit_stays_without_it(people):
    # Booking.audit is SET_NULL: the booking is not left pointing at a report that is gone.
    member = TeamMemberFactory(hours=every_day())
    event_type = EventTypeFactory(members=[member])
    booking = booking_services.booking_create(
        event_type=event_type,
        start=slot_first_available(event_type=event_type, tz="Europe/Paris").start,
        name="Paul Martin",
        email="paul.martin@example.fr",
        consent=True,
        consent_text="J'accepte.",
        audit=people["jeanne"][0],
    )
    declaration = declaration_for("audits.Audit")

    declaration.erase(declaration.rows(JEANNE))

    booking = Booking.objects.get(pk=booking.pk)
    assert booking.audit_id is None
    assert booking.status == Booking.Status.CONFIRMED


def test_the_consents_given_with_an_address_are_listed_and_withdrawn_one_by_one(people):
    source = _audit_consents()
    consents = source.consents(JEANNE)
    assert len(consents) == 2
    assert len({c.key for c in consents}) == 2
    # The key is not the audit's id: that id is the key to the result page.
    assert not any(str(a.pk) in c.key for c in consents for a in people["jeanne"])
    assert all(c.label.startswith("Suivi de votre audit IA du ") for c in consents)
    assert {c.given_at for c in consents} == {a.consent_at for a in people["jeanne"]}
    paul_before = _row(people["paul"])

    consents[0].withdraw()

    (withdrawn,) = [a for a in people["jeanne"] if a.consent_at == consents[0].given_at]
    (kept,) = [a for a in people["jeanne"] if a is not withdrawn]
    row = Audit.objects.get(pk=withdrawn.pk)
    assert (row.email, row.consent_text, row.consent_at) == ("", "", None)
    # The audit itself stays, as an anonymous result reachable by its link.
    assert (row.answers, row.report) == (withdrawn.answers, withdrawn.report)
    assert [c.key for c in source.consents(JEANNE)] == [consents[1].key]
    assert [a.pk for a in declaration_for("audits.Audit").rows(JEANNE)] == [kept.pk]
    assert _row(people["paul"]) == paul_before


def test_an_audit_made_without_an_address_gives_no_consent(people):
    # Four audits, three with an address and consent: the one made without an address is nobody's.
    everyone = Subject(emails=("jeanne.dupont@example.fr", "paul.martin@example.fr"))
    assert len(_audit_consents().consents(everyone)) == 3
    assert _audit_consents().consents(Subject()) == []
