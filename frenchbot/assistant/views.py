"""The bot's full page. With JavaScript the page streams like the widget; without it, the form posts here and
the answer comes back in the page."""

import json

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.core.net import client_ip
from frenchbot.core.pagecache import render_cached
from frenchbot.core.text import render_markdown

from . import selectors, services
from .actions import ActionError, chat_booking_create, chat_handoff_send
from .api import message_out
from .forms import ChatBookingForm, ChatHandoffForm, QuestionForm


def _page(
    request: HttpRequest,
    *,
    conversation,
    form=None,
    error="",
    action_form=None,
    action_error=None,
    status=200,
):
    session_key = request.session.session_key or ""
    messages = (
        [message_out(m) for m in selectors.conversation_messages(conversation=conversation)]
        if conversation
        else []
    )
    # Only the latest answer's actions are offered: an older offer of slots may be stale.
    last_with_actions = next((m["id"] for m in reversed(messages) if m["role"] == "assistant"), None)
    for message in messages:
        if message["id"] != last_with_actions:
            message["actions"] = []
    return render(
        request,
        "assistant/page.html",
        {
            "form": form or QuestionForm(initial={"conversation": conversation.pk if conversation else None}),
            "error": error,
            "conversation": conversation,
            "chat_messages": messages,
            "action_form": action_form,
            "action_error": action_error,
            "history": selectors.conversations_of_visitor(session_key=session_key, user=request.user),
        },
        status=status,
    )


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
                session_key=session_key, user=request.user, ip=client_ip(request), session=request.session
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
    return _page(
        request,
        conversation=conversation,
        form=form,
        error=error,
        status=422 if error or (request.method == "POST" and not form.is_valid()) else 200,
    )


def _own_conversation(request: HttpRequest, value):
    return selectors.conversation_for_visitor(
        conversation_id=value, session_key=request.session.session_key or "", user=request.user
    )


def _action_done(conversation, message) -> HttpResponse:
    return redirect(f"{reverse('assistant:page')}?c={conversation.pk}#message-{message.pk}")


@require_http_methods(["POST"])
def book(request: HttpRequest) -> HttpResponse:
    """A slot offered in the chat, booked without JavaScript; an error comes back in the page with what was
    typed."""
    form = ChatBookingForm(request.POST)
    conversation = _own_conversation(request, request.POST.get("conversation")) if form.is_valid() else None
    if conversation is None:
        return redirect("assistant:page")
    data = form.cleaned_data
    try:
        _booking, message = chat_booking_create(
            conversation=conversation,
            event_type=data["event_type"],
            start=data["start"],
            name=data["name"],
            email=data["email"],
            consent=data["consent"],
            tz=data["timezone"] or "Europe/Paris",
            ip=client_ip(request),
        )
    except ActionError as error:
        return _page(
            request, conversation=conversation, action_form=form, action_error=error, status=error.http_status
        )
    return _action_done(conversation, message)


@require_http_methods(["POST"])
def handoff(request: HttpRequest) -> HttpResponse:
    """A message for the team written in the chat without JavaScript."""
    form = ChatHandoffForm(request.POST)
    conversation = _own_conversation(request, request.POST.get("conversation")) if form.is_valid() else None
    if conversation is None:
        return redirect("assistant:page")
    data = form.cleaned_data
    try:
        message = chat_handoff_send(
            conversation=conversation,
            name=data["name"],
            email=data["email"],
            message=data["message"],
            consent=data["consent"],
            ip=client_ip(request),
        )
    except ActionError as error:
        return _page(
            request, conversation=conversation, action_form=form, action_error=error, status=error.http_status
        )
    return _action_done(conversation, message)


@require_safe
def faq(request: HttpRequest) -> HttpResponse:
    """The public FAQ: entries grouped by category, each with its anchor, and their schema.org FAQPage."""

    def context(values):
        categories = selectors.faq_categories()
        for category in categories:
            for entry in category.entries:
                entry.answer_html = render_markdown(entry.answer)
        data = json.dumps(selectors.faq_structured_data(categories=categories), ensure_ascii=False)
        # Inside <script>, only "</" could end the element early: escape the characters HTML treats specially.
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return {"categories": categories, "structured_data": mark_safe(data)}  # noqa: S308 - escaped above

    return render_cached(request, template="assistant/faq.html", context=context)
