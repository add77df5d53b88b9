"""Asking the bot: check the question and the visitor's limits, find our passages, stream the model's answer,
keep the conversation.

A turn has two halves. ``answer_prepare`` (synchronous, before any byte is sent) refuses what must be refused
with an ``AssistantError`` (an HTTP 4xx for the API), records the question and builds the prompt.
``answer_stream`` (asynchronous) streams the answer as events and always ends with ``done`` or ``error``; the
answer is saved whatever happens (complete, stopped by the visitor, or failed).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import aclosing, suppress
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchbot.analytics.goals import goal_record
from frenchbot.core.cache import CacheUnavailable, cache_count
from frenchbot.core.errors import DomainError
from frenchbot.core.extractive import extract_answer, split_sentences
from frenchbot.core.metrics import bot_answer_record, bot_provider_error_record
from frenchbot.core.net import ip_fingerprint
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.text import fold, french_analyze
from frenchbot.llm.base import ChatOptions, LLMError, Passage, Provider
from frenchbot.llm.base import Message as LLMMessage
from frenchbot.llm.registry import get_provider
from frenchbot.retrieval.embedders import get_embedder
from frenchbot.retrieval.models import Visibility
from frenchbot.retrieval.selectors import QueryError, search, search_validate, semantic_pending

from .actions import actions_for, handoff_form
from .guard import LeakGuard, answer_html
from .intents import FALLBACK, Reply, TurnContext, intent_detect, intent_get
from .models import Conversation, Feedback, Message
from .prompt import Turn, estimate_tokens, prompt_build

logger = logging.getLogger(__name__)


class AssistantError(DomainError):
    """A question the bot will not take now: ``message`` for the visitor, ``code`` for programs (the API answers
    the HTTP status it means: "rate_limited" 429, "not_found" 404, "forbidden" 403, "invalid" 422)."""


@dataclass(frozen=True)
class Event:
    """One server-sent event: ``meta``, ``token``, ``ping``, ``done`` or ``error``."""

    name: str
    data: dict = field(default_factory=dict)


@dataclass
class PreparedAnswer:
    conversation: Conversation
    message: Message
    provider: Provider
    prompt: list
    passages: list[Passage]
    sources: list[dict]
    question: str
    budget_keys: list[str]
    # The intent of the question; when it answers itself (small talk, trainings, booking…), `reply` is said
    # instead of searching the content and calling the model.
    intent: str = FALLBACK
    reply: Reply | None = None
    # The model words the reply itself (small talk with a generative provider); `reply` is its fallback.
    model_writes: bool = False
    # Nothing in our content answers the question (the honesty threshold): `reply` says so.
    unanswered: bool = False
    # One sentence shown under the answer: the search index is still being prepared (words alone meanwhile).
    notice: str = ""


# ---------------------------------------------------------------------------------------------------------------
# Conversations


# The session's list of the conversations its visitor began before signing in (see `conversations_adopt`).
_SESSION_CONVERSATIONS = "assistant_conversations"
_SESSION_CONVERSATIONS_KEPT = 50


def conversation_start(*, session_key: str, user=None, ip: str = "", session=None) -> Conversation:
    """A new, empty conversation owned by the signed-in account, else by the browser session (whose data, when
    `session` is given, remembers it so that signing in later hands it to the account)."""
    signed_in = user is not None and user.is_authenticated
    conversation = Conversation.objects.create(
        user=user if signed_in else None,
        session_key="" if signed_in else session_key,
        ip_hash=ip_fingerprint(ip) if ip else "",
    )
    if session is not None and not signed_in:
        kept = [*session.get(_SESSION_CONVERSATIONS, []), str(conversation.pk)]
        session[_SESSION_CONVERSATIONS] = kept[-_SESSION_CONVERSATIONS_KEPT:]
    goal_record(name="bot_conversation", subject=conversation)
    return conversation


def conversations_adopt(*, session, user) -> int:
    """At sign-in, the conversations this browser began anonymously become the account's: signing in gives the
    session a new key, which would leave them tied to a key nobody holds (the visitor could not find them again,
    and an erasure of the account's data could not either). Returns how many were adopted."""
    ids = session.pop(_SESSION_CONVERSATIONS, [])
    if not ids or user is None or not user.is_authenticated:
        return 0
    return Conversation.objects.filter(pk__in=ids, user__isnull=True).update(user=user, session_key="")


def session_key_ensure(request) -> str:
    """The browser session's key, creating the session first when the visitor has none yet."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


@functools.cache
def _visibility_providers(paths: tuple[str, ...]) -> tuple:
    return tuple(import_string(path) for path in paths)


def visibilities_for(user) -> tuple[str, ...]:
    """What the bot may quote to this person: public content, staff-only notes for the team, and what each
    of ASSISTANT_VISIBILITY_PROVIDERS grants a signed-in person (the lessons of the trainings they follow).

    Synchronous and reads the database: async callers go through ``sync_to_async``.
    """
    if user is None or not user.is_authenticated:
        return (Visibility.PUBLIC,)
    values = [Visibility.PUBLIC.value]
    if user.is_staff:
        values.append(Visibility.STAFF.value)
    # Other apps grant their own audiences through settings: the bot imports none of them.
    for provider in _visibility_providers(tuple(settings.ASSISTANT_VISIBILITY_PROVIDERS)):
        values.extend(value for value in provider(user) if value not in values)
    return tuple(values)


# ---------------------------------------------------------------------------------------------------------------
# Limits


def _day() -> str:
    return timezone.localdate().isoformat()


def _budget_keys(*, session_key: str, ip: str) -> list[tuple[str, int]]:
    return [
        (f"assistant:tokens:s:{session_key}:{_day()}", settings.ASSISTANT_DAILY_TOKENS_PER_SESSION),
        (f"assistant:tokens:ip:{ip_fingerprint(ip)}:{_day()}", settings.ASSISTANT_DAILY_TOKENS_PER_IP),
    ]


def limits_check(*, session_key: str, ip: str) -> None:
    """Refuse (AssistantError "rate_limited") a visitor over the per-session or per-IP rate, or over the day's tokens."""
    for key, budget in _budget_keys(session_key=session_key, ip=ip):
        if budget and (cache.get(key) or 0) >= budget:
            raise AssistantError(
                _(
                    "Vous avez atteint la limite de questions pour aujourd'hui. Revenez demain, ou écrivez-nous : "
                    "nous vous répondrons nous-mêmes."
                ),
                code="rate_limited",
            )
    window = settings.ASSISTANT_RATE_WINDOW
    too_fast = rate_limit_hit(
        scope="assistant-session",
        key=session_key,
        limit=settings.ASSISTANT_RATE_PER_SESSION,
        window_seconds=window,
    ) or rate_limit_hit(
        scope="assistant-ip",
        key=ip,
        limit=settings.ASSISTANT_RATE_PER_IP,
        window_seconds=window,
    )
    if too_fast:
        raise AssistantError(
            _("Vous posez beaucoup de questions d'affilée : patientez quelques minutes avant la suivante."),
            code="rate_limited",
        )


def _budget_spend(keys: list[str], tokens: int) -> None:
    for key in keys:
        try:
            cache_count(key, amount=tokens, timeout=26 * 3600)
        except CacheUnavailable:  # Redis gone (logged by the cache): the answer is given, its cost uncounted
            return


# ---------------------------------------------------------------------------------------------------------------
# Next steps


_TRAINING_STEMS = {"form", "apprendr", "apprend", "cour", "debut", "maitris", "progress", "certif"}
_AUDIT_STEMS = {"audit", "automatis", "automat", "entrepris", "pme", "gagn", "process", "tach", "equip"}


def suggestions_for(*, question: str, sources: list[dict]) -> list[dict]:
    """The next steps offered under an answer: the matching training, the free audit, a call with the team."""
    stems = set(french_analyze(question))
    steps = []
    training_url = next((s["url"] for s in sources if s["url"].startswith("/formations/")), None)
    wants_training = bool(stems & _TRAINING_STEMS) or training_url is not None
    wants_audit = bool(stems & _AUDIT_STEMS)
    if wants_training or not wants_audit:
        steps.append(
            {
                "kind": "training",
                "label": _("Voir la formation") if training_url else _("Voir nos formations"),
                "url": (training_url or "/formations/").split("#")[0],
            }
        )
    if wants_audit or not wants_training:
        steps.append({"kind": "audit", "label": _("Faire l'audit IA offert"), "url": "/audit/"})
    steps.append({"kind": "booking", "label": _("Prendre rendez-vous avec l'équipe"), "url": "/rendez-vous/"})
    return steps


# ---------------------------------------------------------------------------------------------------------------
# One turn


# A question that leans on the previous one: it opens with « et », « mais »…, or points back with a pronoun
# (« qui l'a refusée ? », « il coûte combien ? », « et ça ? »), or it is too short to stand alone.
_FOLLOW_UP_OPENING = re.compile(r"^\s*(et|mais|alors|donc|sinon|ok|d'accord)\b", re.IGNORECASE)
# Case matters here: « l'a » points back, « l'AI Act » does not.
_FOLLOW_UP_POINTER = re.compile(
    r"\b(?:l['’](?:a|ont|avait|avaient|aurait|est|était|as|ai)\b"
    r"|(?:le|la|les|lui|leur)\s+(?:a|ont|avait|avaient|aurait|faut|coûte|coute|propose|utilise)\b"
    r"|(?<![-\w])(?:[Ii]l|[Ee]lle|[Ii]ls|[Ee]lles)\s+(?!y\b|faut\b)\w"
    r"|[Çç]a\b|[Cc]ela\b|[Cc]elui|[Cc]elle|[Cc]eux|[Cc]e dernier|[Cc]ette dernière)",
)


def _is_follow_up(question: str) -> bool:
    # A question that names something of its own (« Qui est le PDG d'Anthropic ? », « Combien Elon Musk a-t-il
    # proposé ? ») stands alone, unless it opens as a follow-up (« Et Mistral ? »).
    named = any(word[:1].isupper() for word in question.split()[1:])
    if _FOLLOW_UP_OPENING.match(question):
        return True
    return not named and (bool(_FOLLOW_UP_POINTER.search(question)) or len(french_analyze(question)) < 3)


def follow_up_subject(question: str, asked: list[str]) -> list[str]:
    """The earlier questions `question` leans on, oldest first; none when it stands alone (a new subject is not
    mixed with the old one). `asked`: the conversation's earlier questions that our content answered (small talk,
    a booking or an off-topic message is no subject). The previous one, and the one before when that was
    itself a follow-up (« Qui a fondé Mistral AI ? » → « Et en quelle année ? » → « Et ses fondateurs ? »)."""
    if not _is_follow_up(question):
        return []
    subject = []
    for previous in reversed(asked[-2:]):
        subject.insert(0, previous)
        if not _is_follow_up(previous):
            break
    return subject


def retrieval_query(question: str, asked: list[str], *, subject: list[str] | None = None) -> str:
    """What to search for `question`: the question with the subject it leans on (``follow_up_subject``, unless
    the caller has it already)."""
    if subject is None:
        subject = follow_up_subject(question, asked)
    return " ".join([*subject, question])[-2000:]


# Two stems this long where one begins the other are one word for the words-only honesty rule: the stemmer
# leaves « fondé » and « fondée » as « fond » and « fonde ».
SAME_WORD_PREFIX = 4


def _holds(stems: set[str], stem: str) -> bool:
    if stem in stems:
        return True
    if len(stem) < SAME_WORD_PREFIX:
        return False
    return any(
        len(other) >= SAME_WORD_PREFIX and (other.startswith(stem) or stem.startswith(other))
        for other in stems
    )


def lexical_coverage(hits, query: str) -> float:
    """The largest share of the question's words (French stems) that one passage found holds, its title
    included: what words alone can say about whether it answers."""
    wanted = set(french_analyze(query))
    if not wanted:
        return 0.0
    best = 0.0
    for hit in hits:
        stems = set(hit.chunk.tokens.split()) | set(french_analyze(hit.title))
        best = max(best, sum(_holds(stems, stem) for stem in wanted) / len(wanted))
    return best


def _honest(hits, *, query: str) -> bool:
    """Whether the passages found really answer: the best one is close enough in meaning to the question
    (ASSISTANT_ANSWER_MIN_SIMILARITY, else the embedder's ``answer_similarity``); found by words alone (no
    semantic search, or vectors still being computed), one passage must hold enough of the question's words
    (ASSISTANT_LEXICAL_MIN_COVERAGE)."""
    if not hits:
        return False
    if any(hit.similarity is None for hit in hits):
        return lexical_coverage(hits, query) >= settings.ASSISTANT_LEXICAL_MIN_COVERAGE
    similarities = [hit.similarity for hit in hits]
    threshold = settings.ASSISTANT_ANSWER_MIN_SIMILARITY
    if threshold is None:
        threshold = get_embedder().answer_similarity
    return max(similarities) >= threshold


LEXICAL_ONLY_NOTICE = gettext_lazy(
    "Notre index de recherche est encore en préparation : cette réponse s'appuie sur les mots de votre "
    "question seulement."
)


def _unanswered_reply() -> Reply:
    return Reply(
        text=_(
            "Je n'ai pas trouvé de réponse sûre à cette question dans nos contenus, et je préfère ne pas "
            "inventer. Laissez votre question à l'équipe juste ici : une personne vous répond par e-mail. "
            "Vous pouvez aussi reformuler, ou réserver un appel de 30 minutes."
        ),
        suggestions=[
            {"kind": "training", "label": _("Voir nos formations"), "url": "/formations/"},
            {"kind": "booking", "label": _("Réserver un appel"), "url": "/rendez-vous/"},
        ],
        actions=[handoff_form()],
    )


def answer_prepare(
    *,
    conversation: Conversation,
    question: str,
    session_key: str,
    ip: str,
    user=None,
    provider_alias=None,
    tz: str = "Europe/Paris",
) -> PreparedAnswer:
    """Check and record the question, decide what it asks for, find the passages, build the prompt; raises
    AssistantError (nothing is recorded then).

    The intent layer decides first: small talk, the trainings, a call, a person… get their reply and the
    in-chat actions (slots shown in the visitor's zone `tz`) without search or model, except that a generative
    model words the small talk. A question is searched with the subject of the questions it follows; when
    nothing found really answers (the honesty threshold), the bot says so instead of quoting the closest
    passage, and the question is marked unanswered for the team.
    """
    try:
        question = search_validate(question)
    except QueryError as error:
        raise AssistantError(error.message, field="content") from error
    limits_check(session_key=session_key, ip=ip)
    provider = get_provider(provider_alias)
    said = list(conversation.messages.filter(status=Message.Status.COMPLETE).exclude(content=""))
    history = [Turn(role=m.role, content=m.content) for m in said][-2 * settings.ASSISTANT_HISTORY_TURNS :]
    # The questions our content answered: what a follow-up may lean on.
    asked = [
        question_message.content
        for question_message, answer in zip(said, said[1:], strict=False)
        if question_message.role == Message.Role.USER
        and answer.role == Message.Role.ASSISTANT
        and answer.sources
    ]
    previous = next((t.content for t in reversed(history) if t.role == "user"), "")
    match = intent_detect(question, previous=previous) if settings.ASSISTANT_INTENTS else None
    intent = intent_get(match.name if match else FALLBACK)
    reply = (
        intent.reply(
            message=question,
            user=user,
            context=TurnContext(timezone=tz, subject=match.request if match else ""),
        )
        if intent.answers_itself
        else None
    )
    model_writes = reply is not None and intent.small_talk and not provider.capabilities.uses_passages_only
    unanswered = False
    notice = ""
    hits, subject = [], []
    if reply is None:
        # Searched without the courtesy the question opens with; the intent layer's vector of the same text is
        # reused rather than computed again.
        subject = follow_up_subject(match.request if match else question, asked)
        query = retrieval_query(match.request if match else question, asked, subject=subject)
        hits = search(
            query=query,
            visibilities=visibilities_for(user),
            limit=settings.ASSISTANT_PASSAGES,
            query_vector=match.vector if match and match.request == query else None,
        )
        if settings.ASSISTANT_INTENTS and not _honest(hits, query=query):
            reply, hits, unanswered = _unanswered_reply(), [], True
        if semantic_pending():
            notice = str(LEXICAL_ONLY_NOTICE)
    passages, sources = [], []
    for number, hit in enumerate(hits, start=1):
        label = f"[{number}]"
        text = hit.chunk.text[: settings.ASSISTANT_PASSAGE_CHARS]
        passages.append(Passage(title=hit.title, url=hit.url, text=text, label=label))
        sources.append({"label": label, "title": hit.title, "heading": hit.chunk.heading, "url": hit.url})
    if model_writes:
        prompt = prompt_build(question=question, passages=[], history=history, small_talk=True)
    elif reply is None and provider.capabilities.uses_passages_only:
        # A provider that only quotes passages answers the question itself, in the light of its subject.
        prompt = [
            *(LLMMessage(role="user", content=text) for text in subject),
            LLMMessage(role="user", content=question),
        ]
    elif reply is None:
        prompt = prompt_build(question=question, passages=passages, history=history)
    else:
        prompt = []
    with transaction.atomic():
        Message.objects.create(conversation=conversation, role=Message.Role.USER, content=question)
        answer = Message.objects.create(
            conversation=conversation,
            role=Message.Role.ASSISTANT,
            status=Message.Status.STREAMING,
            provider=provider.alias,
            provider_name=str(provider.display_name),
            model_id=provider.model_id,
        )
        if not conversation.title:
            conversation.title = question[:200]
        conversation.save(update_fields=["title", "updated_at"])
    return PreparedAnswer(
        conversation=conversation,
        message=answer,
        provider=provider,
        prompt=prompt,
        passages=passages,
        sources=sources,
        question=question,
        budget_keys=[key for key, _ in _budget_keys(session_key=session_key, ip=ip)],
        intent=intent.name,
        reply=reply,
        model_writes=model_writes,
        unanswered=unanswered,
        notice=notice,
    )


def _sources_used(*, text: str, prepared: PreparedAnswer) -> list[dict]:
    """The sources the answer stands on: those it cites by label, or whose sentences it quotes; all the passages
    given when it does neither."""
    cited = [s for s in prepared.sources if s["label"] in text]
    if cited:
        return cited
    folded = fold(text)
    quoted = [
        source
        for source, passage in zip(prepared.sources, prepared.passages, strict=True)
        if any(len(s) > 20 and fold(s) in folded for s in split_sentences(passage.text))
    ]
    return quoted or prepared.sources


def _finish(
    prepared: PreparedAnswer, *, text: str, status: str, error: str, usage: dict, started: float
) -> dict:
    message = prepared.message
    message.content = text
    message.status = status
    message.error = error
    message.sources = (
        _sources_used(text=text, prepared=prepared) if text and status != Message.Status.ERROR else []
    )
    if prepared.reply is not None:
        message.suggestions = prepared.reply.suggestions
        message.actions = actions_for(
            actions=prepared.reply.actions, conversation_id=str(prepared.conversation.pk)
        )
    else:
        message.suggestions = suggestions_for(question=prepared.question, sources=message.sources)
    message.unanswered = prepared.unanswered
    message.prompt_tokens = usage.get("prompt_tokens") or sum(
        estimate_tokens(m.content) for m in prepared.prompt
    )
    message.completion_tokens = usage.get("completion_tokens") or estimate_tokens(text)
    message.duration_ms = int((time.monotonic() - started) * 1000)
    message.save()
    bot_answer_record(provider=prepared.provider, status=status)
    Conversation.objects.filter(pk=prepared.conversation.pk).update(updated_at=timezone.now())
    if prepared.prompt and not prepared.provider.capabilities.uses_passages_only:
        _budget_spend(prepared.budget_keys, message.prompt_tokens + message.completion_tokens)
    return {
        "message_id": message.pk,
        "text": text,
        "html": answer_html(text),
        "status": status,
        "sources": message.sources,
        "suggestions": message.suggestions,
        "provider": message.provider_name,
        "actions": message.actions,
        "unanswered": message.unanswered,
        "notice": prepared.notice,
    }


REFUSAL = gettext_lazy(
    "Je ne peux pas partager mes consignes internes. Posez-moi plutôt une question sur l'IA, "
    "nos formations ou notre audit."
)
# Said instead of an answer that did not read as one (the shape guard) when no passage can stand in for it.
SHAPE_FALLBACK = gettext_lazy(
    "Je ne peux pas vous répondre sous cette forme. Posez-moi votre question en quelques mots : je vous "
    "réponds à partir de nos contenus sur l'IA, nos formations et notre audit."
)


def _guard_for(prepared: PreparedAnswer) -> LeakGuard:
    """The guard of this answer: what the model was given is what its answer may stand on."""
    grounds = [m.content for m in prepared.prompt if m.role != "system"]
    grounds += [f"{p.title}\n{p.text}" for p in prepared.passages]
    return LeakGuard(grounds=grounds, question=prepared.question, shape=settings.ASSISTANT_SHAPE_GUARD)


def _withheld_answer(prepared: PreparedAnswer, guard: LeakGuard) -> str:
    """What is said instead of a withheld answer: the refusal for a recital; for an answer that did not read as
    one, the small talk's written reply, else the sentences of the same passages that answer the question (what
    the extractive bot would say), else an honest fallback."""
    if guard.withheld == "recital":
        return str(REFUSAL)
    if prepared.reply is not None:
        return prepared.reply.text
    quoted = extract_answer(query=prepared.question, passages=prepared.passages).text.strip()
    return quoted or str(SHAPE_FALLBACK)


async def answer_stream(prepared: PreparedAnswer) -> AsyncIterator[Event]:
    """The answer as events: ``meta``, then ``token`` deltas (``ping`` while the model is silent), then one
    event per in-chat action (``slots``, ``trainings``, ``form``: the action's dict), then ``done`` with the
    rendered answer, its sources, next steps and actions, or ``error`` with a French message.

    Closing this iterator (the visitor stopped or left) stops the model and saves the answer as stopped.
    """
    started = time.monotonic()
    provider = prepared.provider
    yield Event(
        "meta",
        {
            "message_id": prepared.message.pk,
            "conversation_id": str(prepared.conversation.pk),
            "provider": str(provider.display_name),
        },
    )
    if prepared.reply is not None and not prepared.model_writes:
        # Decided before any model: the reply is said as it is written.
        yield Event("token", {"text": prepared.reply.text})
        finish_reply = sync_to_async(_finish)
        result = await finish_reply(
            prepared,
            text=prepared.reply.text,
            status=Message.Status.COMPLETE,
            error="",
            usage={},
            started=started,
        )
        for action in result["actions"]:
            yield Event(action["type"], action)
        yield Event("done", result)
        return
    # Off the event loop: the first guard of a process loads the word lists (a second or two).
    guard = await sync_to_async(_guard_for)(prepared)
    usage: dict[str, int] = {}
    options = ChatOptions(
        max_tokens=settings.ASSISTANT_MAX_TOKENS,
        temperature=settings.ASSISTANT_TEMPERATURE,
        timeout=settings.ASSISTANT_TIMEOUT,
    )
    status, error = Message.Status.STOPPED, ""
    finish = sync_to_async(_finish)
    try:
        async with aclosing(
            provider.stream(prepared.prompt, options=options, passages=prepared.passages, usage=usage)
        ) as deltas:
            pending = None
            try:
                while True:
                    if pending is None:
                        pending = asyncio.ensure_future(deltas.__anext__())
                    done, _ = await asyncio.wait({pending}, timeout=settings.ASSISTANT_HEARTBEAT_SECONDS)
                    if not done:
                        yield Event("ping")
                        continue
                    task, pending = pending, None
                    try:
                        delta = task.result()
                    except StopAsyncIteration:
                        break
                    safe = guard.feed(delta)
                    if guard.tripped:
                        break
                    if safe:
                        yield Event("token", {"text": safe})
            finally:
                if pending is not None and not pending.done():
                    pending.cancel()
                    with suppress(BaseException):
                        await pending
        rest = guard.flush()
        if rest:
            yield Event("token", {"text": rest})
        text = _withheld_answer(prepared, guard) if guard.tripped else guard.text.strip()
        if guard.tripped:
            logger.warning(
                "Answer withheld (%s%s) (message %s)",
                guard.withheld,
                f": {guard.shape.reason}" if guard.withheld == "shape" and guard.shape else "",
                prepared.message.pk,
            )
        status = Message.Status.COMPLETE
        result = await finish(prepared, text=text, status=status, error="", usage=usage, started=started)
        for action in result["actions"]:
            yield Event(action["type"], action)
        yield Event("done", result)
    except LLMError as exc:
        logger.warning("Provider %s failed: %s", provider.alias, exc)
        bot_provider_error_record(provider=provider, error=exc)
        if prepared.model_writes and not guard.sent:
            # Small talk does not need the model: its written reply stands in.
            status = Message.Status.COMPLETE
            yield Event("token", {"text": prepared.reply.text})
            result = await finish(
                prepared, text=prepared.reply.text, status=status, error="", usage=usage, started=started
            )
            yield Event("done", result)
            return
        status, error = Message.Status.ERROR, str(exc.user_message)
        partial = "" if guard.tripped else guard.text[: guard.sent]
        await finish(prepared, text=partial, status=status, error=error, usage=usage, started=started)
        yield Event("error", {"message": error, "message_id": prepared.message.pk})
    finally:
        if status == Message.Status.STOPPED:
            # The visitor stopped the answer or left: keep what they saw.
            with suppress(Exception):
                await asyncio.shield(
                    finish(
                        prepared,
                        text=guard.text[: guard.sent],
                        status=status,
                        error="",
                        usage=usage,
                        started=started,
                    )
                )


async def answer_complete(prepared: PreparedAnswer) -> dict:
    """The whole answer at once (the JSON API without streaming, the page without JavaScript)."""
    result: dict = {}
    async with aclosing(answer_stream(prepared)) as events:
        async for event in events:
            if event.name == "done":
                result = event.data
            elif event.name == "error":
                result = {**event.data, "status": Message.Status.ERROR}
    return result


def feedback_give(*, message: Message, rating: int, comment: str = "") -> Feedback:
    """Record (or change) the visitor's verdict on an answer; AssistantError for an invalid one."""
    if rating not in (Feedback.Rating.UP, Feedback.Rating.DOWN):
        raise AssistantError(_("Choisissez « utile » ou « pas utile »."), field="rating")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise AssistantError(
            _("Votre commentaire est trop long (%(n)d caractères, 2 000 au plus).") % {"n": len(comment)},
            field="comment",
        )
    feedback, created = Feedback.objects.update_or_create(
        message=message, defaults={"rating": rating, "comment": comment}
    )
    if created:
        # A verdict changed afterwards is the same rating, not one more.
        goal_record(name="bot_rated", subject=message.conversation)
    return feedback
