"""The bot's full page. With JavaScript the page streams like the widget; without it, the form posts here and
the answer comes back in the page."""

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from frenchbot.core.net import client_ip

from . import selectors, services
from .api import message_out
from .forms import QuestionForm


@require_http_methods(["GET", "HEAD", "POST"])
def page(request: HttpRequest) -> HttpResponse:
    session_key = request.session.session_key or ""
    conversation = None
    wanted = request.POST.get("conversation") or request.GET.get("c")
    if wanted:
        conversation = selectors.conversation_for_visitor(
            conversation_id=wanted, session_key=session_key, user=request.user
        )
    form = QuestionForm(
        request.POST or None, initial={"conversation": conversation.pk if conversation else None}
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        session_key = services.session_key_ensure(request)
        if conversation is None:
            conversation = services.conversation_start(
                session_key=session_key, user=request.user, ip=client_ip(request)
            )
        try:
            prepared = services.answer_prepare(
                conversation=conversation,
                question=form.cleaned_data["content"],
                session_key=session_key,
                ip=client_ip(request),
                user=request.user,
            )
        except services.AssistantError as exc:
            error = exc.message
        else:
            result = async_to_sync(services.answer_complete)(prepared)
            return redirect(f"{reverse('assistant:page')}?c={conversation.pk}#message-{result['message_id']}")
    messages = (
        [message_out(m) for m in selectors.conversation_messages(conversation=conversation)]
        if conversation
        else []
    )
    return render(
        request,
        "assistant/page.html",
        {
            "form": form,
            "error": error,
            "conversation": conversation,
            "chat_messages": messages,
            "history": selectors.conversations_of_visitor(session_key=session_key, user=request.user),
        },
        status=422 if error or (request.method == "POST" and not form.is_valid()) else 200,
    )
