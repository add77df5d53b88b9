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
