"""Reads of the leads pipeline: the board, the filtered list, a lead's timeline, the CSV export."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import PIPELINE, ConsentRecord, Lead, LeadEvent

BOARD_COLUMN_LIMIT = 50


def lead_list(*, status: str = "", source: str = "", search: str = "") -> QuerySet[Lead]:
    """Leads, most recently active first, filtered by status, source and a search in e-mail, name, company."""
    qs = Lead.objects.annotate(event_count=Count("events"))
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(email__icontains=search) | Q(name__icontains=search) | Q(company__icontains=search))
    return qs.order_by("-last_activity_at", "-id")


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    leads: list[Lead]
    count: int


def lead_board(*, search: str = "") -> list[BoardColumn]:
    """The pipeline as columns, one per status in pipeline order, each with its most recent leads."""
    qs = lead_list(search=search)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    columns = []
    for status, label in Lead.Status.choices:
        leads = list(qs.filter(status=status)[:BOARD_COLUMN_LIMIT])
        columns.append(BoardColumn(status=status, label=str(label), leads=leads, count=counts.get(status, 0)))
    return columns


@dataclass(frozen=True)
class FunnelStage:
    status: str
    label: str
    count: int
    percent: int  # of the leads that entered the pipeline (first stage)


def lead_funnel() -> tuple[list[FunnelStage], int]:
    """How far the leads went: for each stage of the pipeline, the leads that reached it or went further
    (lost leads are counted apart, since where they dropped out is not recorded). Returns (stages, lost)."""
    counts = dict(Lead.objects.order_by().values_list("status").annotate(n=Count("id")))
    stages = []
    reached = 0
    for status in reversed(PIPELINE):
        reached += counts.get(status, 0)
        stages.append((status, reached))
    stages.reverse()
    entered = stages[0][1] if stages else 0
    result = [
        FunnelStage(
            status=status,
            label=str(Lead.Status(status).label),
            count=count,
            percent=(count * 100 // entered) if entered else 0,
        )
        for status, count in stages
    ]
    return result, counts.get(Lead.Status.LOST, 0)


def lead_counts_by_status() -> dict[str, int]:
    """Leads per status, every status present (0 included), in one grouped count."""
    counts = dict(Lead.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in Lead.Status.values}


def lead_get(*, lead_id: int) -> Lead | None:
    return Lead.objects.filter(pk=lead_id).first()


def lead_timeline(*, lead: Lead) -> QuerySet[LeadEvent]:
    """Everything the person did and the team wrote, newest first."""
    return lead.events.select_related("author").order_by("-created_at", "-id")


def lead_consents(*, lead: Lead) -> QuerySet[ConsentRecord]:
    return lead.consents.order_by("-given_at", "-id")


def _when(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def lead_timeline_summary(*, lead: Lead, limit: int = 10) -> list[str]:
    """A plain-text digest of the timeline, oldest first, for the team's e-mails (in the active language)."""
    events = list(lead_timeline(lead=lead)[:limit])
    lines = []
    for event in reversed(events):
        detail = event.summary or event.text
        label = event.get_kind_display()
        when = _when(event.created_at)
        if detail:
            lines.append(
                _("%(when)s — %(label)s : %(detail)s") % {"when": when, "label": label, "detail": detail}
            )
        else:
            lines.append(f"{when} — {label}")
    return lines


CSV_HEADER = [
    "e-mail",
    "nom",
    "entreprise",
    "origine",
    "statut",
    "prochaine action le",
    "prochaine action",
    "créé le",
    "dernière activité",
    "consentement le",
    "événements",
]


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ would run as a formula in Excel or LibreOffice (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def lead_csv_rows(*, leads: QuerySet[Lead]) -> Iterator[list[str]]:
    """The header, then one row per lead, read in chunks so that a long export streams."""
    yield CSV_HEADER
    qs = leads.annotate(last_consent_at=Max("consents__given_at"))
    for lead in qs.iterator(chunk_size=500):
        yield [
            _csv_cell(value)
            for value in (
                lead.email,
                lead.name,
                lead.company,
                lead.get_source_display(),
                lead.get_status_display(),
                lead.next_action_on.isoformat() if lead.next_action_on else "",
                lead.next_action,
                timezone.localtime(lead.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(lead.last_activity_at).strftime("%Y-%m-%d %H:%M")
                if lead.last_activity_at
                else "",
                timezone.localtime(lead.last_consent_at).strftime("%Y-%m-%d %H:%M")
                if lead.last_consent_at
                else "",
                getattr(lead, "event_count", ""),
            )
        ]
