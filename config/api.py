"""The one JSON API of the site; each app adds its own router here."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError

from frenchbot.core.errors import DomainError

api = NinjaAPI(
    title="The French Bot API",
    version="1.0.0",
    description="API JSON de The French Bot. Les erreurs répondent en JSON avec un message en français.",
    urls_namespace="api",
)


def _field(error: dict) -> str:
    location = [
        str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")
    ]
    return ".".join(location) or _("corps de la requête")


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """Malformed JSON or a missing or mistyped field: 422 with a French sentence, and the details."""
    messages = []
    for error in exc.errors:
        kind = error.get("type", "")
        if kind == "missing":
            messages.append(_("le champ « %(field)s » est obligatoire") % {"field": _field(error)})
        elif kind == "json_invalid" or not error.get("loc"):
            messages.append(_("le corps de la requête n'est pas un JSON valide"))
        else:
            messages.append(_("le champ « %(field)s » n'a pas la bonne forme") % {"field": _field(error)})
    detail = _("Requête invalide : %(reasons)s.") % {"reasons": " ; ".join(dict.fromkeys(messages))}
    return api.create_response(request, {"detail": detail, "errors": exc.errors}, status=422)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    """A service refused the input: its French message, field and code, with the status its code means."""
    return api.create_response(request, exc.as_json(), status=exc.http_status)


from frenchbot.assistant.api import router as assistant_router  # noqa: E402

api.add_router("/assistant/", assistant_router)

from frenchbot.booking.api import router as booking_router  # noqa: E402

api.add_router("/booking/", booking_router)
