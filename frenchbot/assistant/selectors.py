"""Reads of conversations: only their owner (account or browser session) ever gets one."""

import datetime
import hashlib
import logging
import uuid
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db.models import Q

from frenchbot.core.text import fold, render_markdown
from frenchbot.retrieval.embedders import get_embedder

from .models import Conversation, FaqEntry, Feedback, Message

logger = logging.getLogger(__name__)


def conversation_for_visitor(*, conversation_id, session_key: str, user=None) -> Conversation | None:
    """The conversation if this visitor owns it, else None (unknown and someone else's look the same)."""
    try:
        conversation_id = uuid.UUID(str(conversation_id))
    except ValueError:
        return None
    conversations = Conversation.objects.filter(pk=conversation_id)
    if user is not None and user.is_authenticated:
        return conversations.filter(user=user).first()
    if not session_key:
        return None
    return conversations.filter(user=None, session_key=session_key).first()


def conversations_of_visitor(*, session_key: str, user=None, limit: int = 20) -> list[Conversation]:
    if user is not None and user.is_authenticated:
        owned = Conversation.objects.filter(user=user)
    elif session_key:
        owned = Conversation.objects.filter(user=None, session_key=session_key)
    else:
        return []
    return list(owned.exclude(title="")[:limit])


def conversation_messages(*, conversation: Conversation) -> list[Message]:
    return list(conversation.messages.select_related("feedback").exclude(status=Message.Status.STREAMING))


def message_of_visitor(*, message_id: int, session_key: str, user=None) -> Message | None:
    message = (
        Message.objects.filter(pk=message_id, role=Message.Role.ASSISTANT)
        .select_related("conversation")
        .first()
    )
    if message is None:
        return None
    owner = conversation_for_visitor(
        conversation_id=message.conversation_id, session_key=session_key, user=user
    )
    return message if owner is not None else None


# --- FAQ ---------------------------------------------------------------------------------------------------------


@dataclass
class FaqCategory:
    name: str
    entries: list[FaqEntry]


def faq_categories() -> list[FaqCategory]:
    """Published entries grouped by category, categories in the order of their first entry; entries without a
    category come first, under no heading."""
    groups: dict[str, FaqCategory] = {}
    for entry in FaqEntry.objects.filter(is_published=True).order_by("position", "id"):
        name = entry.category.strip()
        groups.setdefault(name, FaqCategory(name=name, entries=[])).entries.append(entry)
    return sorted(groups.values(), key=lambda group: group.name != "")


def faq_structured_data(*, categories: list[FaqCategory]) -> dict:
    """The schema.org FAQPage of /faq/ (what search engines read): each question with its accepted answer."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": entry.question,
                "acceptedAnswer": {"@type": "Answer", "text": render_markdown(entry.answer)},
            }
            for category in categories
            for entry in category.entries
        ],
    }


# --- Questions the bot could not answer --------------------------------------------------------------------------

# Two questions are grouped when the cosine similarity of their e5 query vectors reaches this. e5 packs French
# questions tight: measured on our own paraphrases, « Combien de temps dure la formation ? » / « la formation
# dure combien d'heures ? » 0.99, « Combien de temps dure l'audit ? » / « l'audit prend combien de temps ? »
# 0.99, « Quelle différence entre ChatGPT et Mistral ? » / « Mistral ou ChatGPT, lequel choisir ? » 0.97,
# « Combien coûte une formation ? » / « Quel est le tarif de la formation ? » 0.97 and « c'est combien la
# formation ? » 0.96; while different questions on the same topic reach 0.94 (« c'est combien la formation ? » /
# « Combien de temps dure la formation ? ») and unrelated ones 0.80-0.90 (the weather, opening hours). 0.95
# keeps those apart, at the price of leaving looser paraphrases in two groups (« Vos formations sont-elles
# finançables par le CPF ? » / « je peux payer avec mon compte CPF ? » 0.93): a group split in two costs staff
# one more click, two questions merged by mistake would hide one of them.
UNANSWERED_SIMILARITY = 0.95
UNANSWERED_LIMIT = 500
_VECTOR_CACHE_SECONDS = 7 * 24 * 3600


@dataclass
class UnansweredQuestion:
    message_id: int  # the bot's answer (what the loop marks), not the visitor's message
    conversation_id: uuid.UUID
    question: str
    answer: str
    asked_at: datetime.datetime
    rated_down: bool
    unanswered: bool


@dataclass
class UnansweredGroup:
    questions: list[UnansweredQuestion]  # most recent first
    typical: str  # the wording closest to the group's centre
    examples: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def last_asked(self) -> datetime.datetime:
        return self.questions[0].asked_at

    @property
    def latest(self) -> UnansweredQuestion:
        return self.questions[0]

    @property
    def message_ids(self) -> str:
        return ",".join(str(q.message_id) for q in self.questions)


def unanswered_questions(*, message_ids: list[int] | None = None, limit: int = UNANSWERED_LIMIT):
    """The visitors' questions that the bot did not answer (nothing in our content) or whose answer they rated
    « pas utile », not yet dealt with by staff; most recent first."""
    answers = (
        Message.objects.filter(role=Message.Role.ASSISTANT, reviewed_at__isnull=True, faq_entry__isnull=True)
        .filter(Q(unanswered=True) | Q(feedback__rating=Feedback.Rating.DOWN))
        .select_related("feedback")
        .order_by("-created_at", "-id")
    )
    if message_ids is not None:
        answers = answers.filter(pk__in=message_ids)
    answers = list(answers[:limit])
    # The question is the visitor's message just before each answer: one query for all of them.
    asked: dict[uuid.UUID, list[tuple[int, str]]] = {}
    for conversation_id, pk, content in (
        Message.objects.filter(
            role=Message.Role.USER, conversation_id__in={a.conversation_id for a in answers}
        )
        .order_by("id")
        .values_list("conversation_id", "id", "content")
    ):
        asked.setdefault(conversation_id, []).append((pk, content))
    questions = []
    for answer in answers:
        before = [content for pk, content in asked.get(answer.conversation_id, []) if pk < answer.pk]
        if not before or not before[-1].strip():
            continue
        feedback = getattr(answer, "feedback", None)
        questions.append(
            UnansweredQuestion(
                message_id=answer.pk,
                conversation_id=answer.conversation_id,
                question=before[-1].strip(),
                answer=answer.content,
                asked_at=answer.created_at,
                rated_down=feedback is not None and feedback.rating == Feedback.Rating.DOWN,
                unanswered=answer.unanswered,
            )
        )
    return questions


def _question_vectors(texts: list[str]) -> np.ndarray | None:
    """Each question's e5 query vector, from the cache when this model already embedded it; None when no
    embedder is available (the questions are then grouped by their exact wording)."""
    try:
        embedder = get_embedder()
        prefix = f"assistant:question-vector:{embedder.model_id}:"
        keys = [prefix + hashlib.sha256(text.encode()).hexdigest() for text in texts]
        cached = cache.get_many(keys)
        missing = [i for i, key in enumerate(keys) if key not in cached]
        if missing:
            fresh = embedder.embed_queries([texts[i] for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                cached[keys[i]] = np.asarray(vector, dtype=np.float32)
            cache.set_many({keys[i]: cached[keys[i]] for i in missing}, _VECTOR_CACHE_SECONDS)
        return np.vstack([cached[key] for key in keys])
    except Exception:  # noqa: BLE001 - the list must show even when the embedder fails
        logger.exception("Unanswered questions grouped by wording only: no embedding")
        return None


def unanswered_groups(
    *, message_ids: list[int] | None = None, threshold: float = UNANSWERED_SIMILARITY
) -> list[UnansweredGroup]:
    """The unanswered questions grouped by meaning, the most asked group first (then the most recent).

    Greedy: each question, most recent first, joins the group whose centre is the closest if it is at least
    `threshold` away in cosine similarity, else starts a group."""
    questions = unanswered_questions(message_ids=message_ids)
    if not questions:
        return []
    vectors = _question_vectors([q.question for q in questions])
    if vectors is None:
        # Identical once folded (case, accents, punctuation): the same question.
        vectors_by_text: dict[str, int] = {}
        keys = [
            vectors_by_text.setdefault(" ".join(fold(q.question).split()), len(vectors_by_text))
            for q in questions
        ]
        vectors = np.eye(len(vectors_by_text), dtype=np.float32)[keys]
    members: list[list[int]] = []
    sums: list[np.ndarray] = []
    for index, vector in enumerate(vectors):
        best, best_similarity = None, threshold
        for number, total in enumerate(sums):
            similarity = float(vector @ total) / (float(np.linalg.norm(total)) or 1.0)
            if similarity >= best_similarity:
                best, best_similarity = number, similarity
        if best is None:
            members.append([index])
            sums.append(vector.astype(np.float32).copy())
        else:
            members[best].append(index)
            sums[best] += vector
    groups = []
    for indexes, total in zip(members, sums, strict=True):
        centre = total / (float(np.linalg.norm(total)) or 1.0)
        # Closest to the centre first; a tie (two questions are always equally close to their centre, up to
        # rounding noise that differs between machines) goes to the wording asked first, which stays put as
        # the group grows (questions are listed most recent first).
        by_closeness = sorted(indexes, key=lambda i: (-round(float(vectors[i] @ centre), 3), -i))
        wordings: list[str] = []
        for i in by_closeness:
            if questions[i].question not in wordings:
                wordings.append(questions[i].question)
        groups.append(
            UnansweredGroup(
                questions=[questions[i] for i in indexes], typical=wordings[0], examples=wordings[:3]
            )
        )
    groups.sort(key=lambda group: (-group.count, -group.last_asked.timestamp()))
    return groups


# --- The bot's figures for the statistics dashboard --------------------------------------------------------------


@dataclass
class TopUnanswered:
    question: str  # the most recent wording of the group
    count: int


@dataclass
class BotFigures:
    conversations: int  # started in the period
    questions: int  # the bot's finished answers in the period (one per visitor question)
    answered: int  # … not marked unanswered (something in our content answered)
    rated: int  # answers of the period rated by the visitor
    rated_useful: int
    top_unanswered: list[TopUnanswered]

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.questions if self.questions else None

    @property
    def useful_share(self) -> float | None:
        return self.rated_useful / self.rated if self.rated else None


# Unanswered answers read to rank the most asked questions of a period: the most recent ones (each costs a
# look-up of its question; 500 keep the section well under 50 ms on a year of conversations).
_TOP_UNANSWERED_SCAN = 500


def bot_figures(*, start: datetime.date, end: datetime.date, limit: int = 10) -> BotFigures:
    """What the bot did over the days `start`–`end` (site time, both included): conversations started, share of
    the visitors' questions it answered from our content, share of rated answers rated useful, and the `limit`
    unanswered questions asked most often that staff have not dealt with yet (grouped by their folded wording:
    the dashboard must stay fast, so no embedding here; the « Questions sans réponse » page groups them by
    meaning). Four queries."""
    from django.db.models import Count, OuterRef, Subquery
    from django.utils import timezone

    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    until = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    conversations = Conversation.objects.filter(created_at__gte=since, created_at__lt=until).count()
    answers = Message.objects.filter(
        role=Message.Role.ASSISTANT, created_at__gte=since, created_at__lt=until
    ).exclude(status__in=[Message.Status.STREAMING, Message.Status.ERROR])
    counts = answers.aggregate(
        questions=Count("id"),
        answered=Count("id", filter=Q(unanswered=False)),
        rated=Count("feedback"),
        rated_useful=Count("feedback", filter=Q(feedback__rating=Feedback.Rating.UP)),
    )
    asked = Message.objects.filter(
        conversation=OuterRef("conversation"), role=Message.Role.USER, id__lt=OuterRef("id")
    ).order_by("-id")
    wordings = (
        answers.filter(unanswered=True, reviewed_at__isnull=True, faq_entry__isnull=True)
        .annotate(question=Subquery(asked.values("content")[:1]))
        .order_by("-created_at", "-id")
        .values_list("question", flat=True)[:_TOP_UNANSWERED_SCAN]
    )
    groups: dict[str, TopUnanswered] = {}
    for question in wordings:
        question = (question or "").strip()
        if question:
            key = " ".join(fold(question).split())
            group = groups.setdefault(key, TopUnanswered(question=question, count=0))
            group.count += 1
    top = sorted(groups.values(), key=lambda group: -group.count)[:limit]
    return BotFigures(conversations=conversations, top_unanswered=top, **counts)
