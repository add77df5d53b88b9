import csv
import io

import pytest

from frenchbot.leads import selectors, services
from frenchbot.leads.models import Lead, Source

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_list_filters_by_status_source_and_search():
    a = LeadFactory(
        email="alice@example.fr", name="Alice Martin", source=Source.BOOKING, status=Lead.Status.AUDIT_BOOKED
    )
    b = LeadFactory(email="bob@example.fr", name="Bob", company="Garage Martin", source=Source.CONTACT)
    LeadFactory(email="chloe@example.fr", name="Chloé", company="Café", source=Source.AUDIT)
    assert set(selectors.lead_list(search="martin")) == {a, b}
    assert list(selectors.lead_list(status=Lead.Status.AUDIT_BOOKED)) == [a]
    assert list(selectors.lead_list(source=Source.CONTACT)) == [b]
    assert list(selectors.lead_list(search="ALICE@")) == [a]


def test_board_has_one_column_per_status_in_pipeline_order():
    LeadFactory(status=Lead.Status.CLIENT)
    LeadFactory.create_batch(2, status=Lead.Status.NEW)
    columns = selectors.lead_board()
    assert [c.status for c in columns] == ["new", "audit_booked", "audit_done", "proposal", "client", "lost"]
    assert [c.label for c in columns][:2] == ["Nouveau", "Audit réservé"]
    assert {c.status: c.count for c in columns}["new"] == 2


def test_timeline_summary_reads_in_order_with_french_dates():
    lead = services.lead_touch(
        email="x@example.fr", source=Source.CONTACT, event="contact", summary="Question sur les formations"
    )
    services.lead_add_note(lead=lead, text="Rappeler mardi")
    lines = selectors.lead_timeline_summary(lead=lead)
    assert len(lines) == 2
    assert lines[0].endswith("Message de contact\u00a0: Question sur les formations")
    assert lines[1].endswith("Note\u00a0: Rappeler mardi")
    assert " h " in lines[0]  # « 27 novembre 2026 à 14 h 30 »


def test_csv_rows_neutralise_spreadsheet_formulas():
    LeadFactory(name='=HYPERLINK("http://evil")', email="f@example.fr")
    rows = list(selectors.lead_csv_rows(leads=selectors.lead_list()))
    assert rows[0][0] == "e-mail"
    assert rows[1][1].startswith("'=")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    assert "f@example.fr" in buffer.getvalue()
