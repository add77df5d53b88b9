"""JSON API of the bot: start a conversation, ask (streamed as Server-Sent Events or answered whole), read a
conversation back, give feedback. Only the owner of a conversation (account or browser session) reaches it."""

from uuid import UUID

from asgiref.sync import sync_to_async
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from frenchbot.core.csrf import csrf_failed
from frenchbot.core.net import client_ip
from frenchbot.core.ratelimit import rate_limit_hit

from . import selectors, services
from .schemas import AnswerOut, ConversationOut, ErrorOut, FeedbackIn, MessageOut, QuestionIn
from .sse import sse_events

router = Router(tags=["assistant"])


def _visitor(request: HttpRequest) -> tuple[str, object]:
    """The session key (a session is created if there is none yet) and the account, if signed in."""
    return services.session_key_ensure(request), request.user


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _csrf_error() -> JsonResponse:
    return _error(403, _("Jeton de sécurité (CSRF) manquant ou périmé : rechargez la page puis réessayez."))


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
    if csrf_failed(request):
        return _csrf_error()
    session_key, user = _visitor(request)
    ip = client_ip(request)
    if rate_limit_hit(scope="assistant-conversations", key=ip, limit=30, window_seconds=600):
        return _error(429, _("Trop de conversations ouvertes d'affilée : patientez quelques minutes."))
    conversation = services.conversation_start(session_key=session_key, user=user, ip=ip)
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
        return _error(404, _("Conversation introuvable."))
    return Status(200, _conversation_out(conversation))


def _prepare(request: HttpRequest, conversation_id: UUID, content: str):
    if csrf_failed(request):
        return None, _csrf_error()
    session_key, user = _visitor(request)
    conversation = selectors.conversation_for_visitor(
        conversation_id=conversation_id, session_key=session_key, user=user
    )
    if conversation is None:
        return None, _error(404, _("Conversation introuvable."))
    try:
        prepared = services.answer_prepare(
            conversation=conversation,
            question=content,
            session_key=session_key,
            ip=client_ip(request),
            user=user,
        )
    except services.AssistantError as error:
        return None, _error(error.status, error.message)
    return prepared, None


@router.post(
    "/conversations/{conversation_id}/messages",
    response={200: AnswerOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Poser une question",
    description=(
        "Avec l'en-tête `Accept: text/event-stream`, la réponse arrive en flux Server-Sent Events : `meta` "
        "(qui répond), des `token` (morceaux de texte), des commentaires de maintien de connexion, puis `done` "
        "(réponse rendue, sources, suggestions) ou `error` (message en français). Sinon, la réponse complète "
        "en JSON."
    ),
)
async def message_create(request: HttpRequest, conversation_id: UUID, payload: QuestionIn):
    prepared, failure = await sync_to_async(_prepare)(request, conversation_id, payload.content)
    if failure is not None:
        return failure
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
    if csrf_failed(request):
        return _csrf_error()
    if rate_limit_hit(scope="assistant-feedback", key=client_ip(request), limit=60, window_seconds=600):
        return _error(429, _("Trop d'avis d'affilée : patientez quelques minutes."))
    message = selectors.message_of_visitor(
        message_id=message_id, session_key=request.session.session_key or "", user=request.user
    )
    if message is None:
        return _error(404, _("Réponse introuvable."))
    try:
        services.feedback_give(message=message, rating=payload.rating, comment=payload.comment)
    except services.AssistantError as error:
        return _error(error.status, error.message)
    message.refresh_from_db()
    return Status(200, message_out(message))
