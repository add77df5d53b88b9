"""Reads for the team: the requests with their deadline, and the register of processing activities."""

from django.db.models import QuerySet
from django.utils import timezone

from . import registry
from .models import PrivacyRequest


def requests_for_staff(*, status: str = "") -> QuerySet[PrivacyRequest]:
    """Open requests first (the nearest deadline first), then the done ones, newest first."""
    requests = PrivacyRequest.objects.select_related("created_by")
    if status == "open":
        requests = requests.filter(
            status__in=[
                PrivacyRequest.Status.RECEIVED,
                PrivacyRequest.Status.IN_PROGRESS,
                PrivacyRequest.Status.INCOMPLETE,
            ]
        ).order_by("due_on", "created_at")
    elif status:
        requests = requests.filter(status=status)
    return requests


def request_is_late(request: PrivacyRequest) -> bool:
    return request.is_open and request.due_on < timezone.localdate()


def register_rows() -> list[dict]:
    """The register of processing activities (RGPD article 30), one line per treatment, from the declarations:
    what the company completes by hand (its representative, its security measures) is left to its document."""
    models_by_treatment: dict[str, list[str]] = {}
    for declaration in registry.declarations():
        models_by_treatment.setdefault(declaration.treatment.key, []).append(
            f"{declaration.model._meta.verbose_name_plural} ({', '.join(declaration.fields)})"
        )
    rows = []
    for treatment in registry.treatments():
        rows.append(
            {
                "key": treatment.key,
                "name": str(treatment.name),
                "purpose": str(treatment.purpose),
                "legal_basis": treatment.legal_basis_label(),
                "people": str(treatment.people),
                "categories": ", ".join(str(category) for category in treatment.categories),
                "recipients": str(treatment.recipients),
                "retention": treatment.retention_text(),
                "ai_processing": treatment.ai_processing,
                "stored_in": "; ".join(models_by_treatment.get(treatment.key, [])),
            }
        )
    return rows
