"""JSON API of the bot: start a conversation, ask (streamed as Server-Sent Events or answered whole), read a
conversation back, give feedback. Only the owner of a conversation (account or browser session) reaches it.

A refusal is an ``AssistantError`` left to propagate: the API's one handler for domain errors (``config/api.py``)
answers its ``{"detail", "field", "code"}`` with the status its code means. Only the event stream, already
answering 200, reports its own failures as ``error`` events.
"""

from uuid import UUID

from asgiref.sync import sync_to_async
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from frenchbot.core.csrf import csrf_failed
from frenchbot.core.net import client_ip
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.schemas import ErrorOut

from . import selectors, services
from .actions import chat_booking_create, chat_handoff_send, chat_newsletter_subscribe
from .schemas import (
    AnswerOut,
    BookingIn,
    BookingOut,
    ConversationOut,
    FeedbackIn,
    HandoffIn,
    HandoffOut,
    MessageOut,
    NewsletterIn,
    QuestionIn,
)
from .services import AssistantError
from .sse import sse_events

router = Router(tags=["assistant"])


def _visitor(request: HttpRequest) -> tuple[str, object]:
    """The session key (a session is created if there is none yet) and the account, if signed in."""
    return services.session_key_ensure(request), request.user


def _csrf_check(request: HttpRequest) -> None:
    if csrf_failed(request):
        raise AssistantError(
            _("Jeton de sécurité (CSRF) manquant ou périmé : rechargez la page puis réessayez."),
            code="forbidden",
        )


def _conversation_missing() -> AssistantError:
    return AssistantError(_("Conversation introuvable."), code="not_found")


def message_out(message) -> dict:
    # The reverse one-to-one raises a subclass of AttributeError when there is no feedback.
    feedback = getattr(message, "feedback", None)
    return {
        "id": message.pk,
        "role": message.role,
        "content": message.content,
        "html": services.answer_html(message.content) if message.role == "assistant" else "",
        "status": message.status,
        "error": message.error,
        "sources": message.sources,
        "suggestions": message.suggestions,
        "provider": message.provider_name,
        "actions": message.actions,
        "unanswered": message.unanswered,
        "rating": feedback.rating if feedback else None,
    }


def _conversation_out(conversation) -> dict:
    return {
        "id": str(conversation.pk),
        "title": conversation.title,
        "messages": [message_out(m) for m in selectors.conversation_messages(conversation=conversation)],
    }


@router.post(
    "/conversations",
    response={201: ConversationOut, 403: ErrorOut, 429: ErrorOut},
    summary="Commencer une conversation",
)
def conversation_create(request: HttpRequest):
    _csrf_check(request)
    session_key, user = _visitor(request)
    ip = client_ip(request)
    if rate_limit_hit(scope="assistant-conversations", key=ip, limit=30, window_seconds=600):
        raise AssistantError(
            _("Trop de conversations ouvertes d'affilée : patientez quelques minutes."), code="rate_limited"
        )
    conversation = services.conversation_start(
        session_key=session_key, user=user, ip=ip, session=request.session
    )
    return Status(201, {"id": str(conversation.pk), "title": "", "messages": []})


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationOut, 404: ErrorOut},
    summary="Relire une conversation",
)
def conversation_detail(request: HttpRequest, conversation_id: UUID):
    conversation = selectors.conversation_for_visitor(
        conversation_id=conversation_id, session_key=request.session.session_key or "", user=request.user
    )
    if conversation is None:
        raise _conversation_missing()
    return Status(200, _conversation_out(conversation))


def _own_conversation(request: HttpRequest, conversation_id: UUID):
    _csrf_check(request)
    session_key, user = _visitor(request)
    conversation = selectors.conversation_for_visitor(
        conversation_id=conversation_id, session_key=session_key, user=user
    )
    if conversation is None:
        raise _conversation_missing()
    return conversation, session_key, user


def _prepare(request: HttpRequest, conversation_id: UUID, payload: QuestionIn) -> services.PreparedAnswer:
    conversation, session_key, user = _own_conversation(request, conversation_id)
    return services.answer_prepare(
        conversation=conversation,
        question=payload.content,
        session_key=session_key,
        ip=client_ip(request),
        user=user,
        tz=payload.timezone,
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    response={200: AnswerOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Poser une question",
    description=(
        "Avec l'en-tête `Accept: text/event-stream`, la réponse arrive en flux Server-Sent Events : `meta` "
        "(qui répond), des `token` (morceaux de texte), des commentaires de maintien de connexion, puis un "
        "événement par action proposée dans la conversation, puis `done` (réponse rendue, sources, suggestions, "
        "actions) ou `error` (message en français). Les actions : `trainings` (`trainings` : titre, adresse, "
        "public, durée, prix, résumé de chaque formation du catalogue), `slots` (les prochains créneaux libres "
        "de l'appel, dans le fuseau `timezone` de la question, avec `submit` où réserver l'un d'eux et le texte "
        "de consentement), `form` (`form` : `handoff`, un message pour l'équipe : ses champs, `submit` et le "
        "texte de consentement ; `newsletter`, l'inscription à la lettre : le champ e-mail, les listes par défaut, "
        "`submit` et le texte de consentement). Un type d'action inconnu est à ignorer. Sans l'en-tête, la "
        "réponse complète "
        "en JSON."
    ),
)
async def message_create(request: HttpRequest, conversation_id: UUID, payload: QuestionIn):
    prepared = await sync_to_async(_prepare)(request, conversation_id, payload)
    if "text/event-stream" in request.headers.get("accept", ""):
        response = StreamingHttpResponse(
            sse_events(services.answer_stream(prepared)), content_type="text/event-stream; charset=utf-8"
        )
        response["Cache-Control"] = "no-cache, no-store"
        response["X-Accel-Buffering"] = "no"
        return response
    result = await services.answer_complete(prepared)
    return JsonResponse(result, status=200, json_dumps_params={"ensure_ascii": False})


@router.post(
    "/messages/{message_id}/feedback",
    response={200: MessageOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Donner son avis sur une réponse",
)
def feedback_create(request: HttpRequest, message_id: int, payload: FeedbackIn):
    _csrf_check(request)
    if rate_limit_hit(scope="assistant-feedback", key=client_ip(request), limit=60, window_seconds=600):
        raise AssistantError(_("Trop d'avis d'affilée : patientez quelques minutes."), code="rate_limited")
    message = selectors.message_of_visitor(
        message_id=message_id, session_key=request.session.session_key or "", user=request.user
    )
    if message is None:
        raise AssistantError(_("Réponse introuvable."), code="not_found")
    services.feedback_give(message=message, rating=payload.rating, comment=payload.comment)
    message.refresh_from_db()
    return Status(200, message_out(message))


@router.post(
    "/conversations/{conversation_id}/booking",
    response={201: BookingOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    url_name="assistant_booking",
    summary="Réserver depuis la conversation un créneau proposé par le bot",
    description=(
        "Réserve le créneau par le même service que `/api/booking/bookings` (mêmes vérifications, même fiche "
        "prospect, mêmes e-mails) et ajoute la confirmation du bot à la conversation. 409 quand le créneau "
        "vient d'être pris, avec `slots` : les créneaux libres autour ; 422 pour une saisie invalide (`field`)."
    ),
)
def booking_create(request: HttpRequest, conversation_id: UUID, payload: BookingIn):
    conversation, _session_key, _user = _own_conversation(request, conversation_id)
    booking, message = chat_booking_create(
        conversation=conversation,
        event_type=payload.event_type,
        start=payload.start,
        name=payload.name,
        email=payload.email,
        consent=payload.consent,
        tz=payload.timezone,
        ip=client_ip(request),
    )
    return Status(
        201,
        {
            "booking": {
                "start": booking.start.isoformat(),
                "end": booking.end.isoformat(),
                "label": booking.label,
                "manage_url": booking.manage_url,
            },
            "message": message_out(message),
        },
    )


@router.post(
    "/conversations/{conversation_id}/handoff",
    response={201: HandoffOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    url_name="assistant_handoff",
    summary="Laisser un message à l'équipe depuis la conversation",
    description=(
        "Crée ou met à jour la fiche prospect (origine : le bot) avec le message et la conversation, prévient "
        "l'équipe par e-mail et ajoute la réponse du bot à la conversation. 422 avec `errors` (un message par "
        "champ) pour une saisie invalide."
    ),
)
def handoff_create(request: HttpRequest, conversation_id: UUID, payload: HandoffIn):
    conversation, _session_key, _user = _own_conversation(request, conversation_id)
    message = chat_handoff_send(
        conversation=conversation,
        name=payload.name,
        email=payload.email,
        message=payload.message,
        consent=payload.consent,
        ip=client_ip(request),
    )
    return Status(201, {"message": message_out(message)})


@router.post(
    "/conversations/{conversation_id}/newsletter",
    response={201: HandoffOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    url_name="assistant_newsletter",
    summary="S'inscrire à la lettre depuis la conversation",
    description=(
        "Inscription avec double confirmation, par le même service que `/lettre/` (listes par défaut) : un e-mail "
        "de confirmation part (au plus un par adresse et par heure) et la réponse du bot est ajoutée à la "
        "conversation ; elle est la même que l'adresse soit déjà inscrite ou non. 422 avec `detail` et `field` "
        "pour une adresse invalide ou jetable, ou sans consentement ; 429 après trop d'inscriptions."
    ),
)
def newsletter_create(request: HttpRequest, conversation_id: UUID, payload: NewsletterIn):
    conversation, _session_key, _user = _own_conversation(request, conversation_id)
    message = chat_newsletter_subscribe(
        conversation=conversation, email=payload.email, consent=payload.consent, ip=client_ip(request)
    )
    return Status(201, {"message": message_out(message)})
