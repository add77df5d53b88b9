"""Writes of the FAQ and of the unanswered-questions loop.

An entry saved here is in the bot's index when the call returns: the visitor who asks next gets it, without
waiting for the background worker (which, run later by the save signal, finds it up to date and does nothing).
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.core.errors import DomainError
from frenchbot.core.pagecache import pagecache_invalidate
from frenchbot.retrieval.services import document_index_item, document_remove

from .indexing import FaqSource
from .models import FaqEntry, Message

logger = logging.getLogger(__name__)

QUESTION_MAX = FaqEntry._meta.get_field("question").max_length
ANSWER_MAX = FaqEntry._meta.get_field("answer").max_length
CATEGORY_MAX = FaqEntry._meta.get_field("category").max_length


class FaqError(DomainError):
    """An FAQ entry refused as written (empty question, answer too long…)."""


def faq_entry_index(*, entry: FaqEntry) -> None:
    """Bring the entry's document in the bot's index up to date now: indexed when published, removed when not."""
    source = FaqSource()
    item = source.item(entry)
    try:
        if item is None:
            document_remove(source=source.name, source_id=str(entry.pk))
        else:
            document_index_item(source=source.name, item=item)
    except Exception:  # noqa: BLE001 - the entry is saved; the background worker indexes it again later
        logger.exception("FAQ entry %s could not be indexed at once", entry.pk)
    transaction.on_commit(pagecache_invalidate)


def faq_entry_unindex(*, entry_id: int) -> None:
    """Take a deleted entry out of the bot's index now."""
    document_remove(source=FaqSource.name, source_id=str(entry_id))
    transaction.on_commit(pagecache_invalidate)


def _checked(*, question: str, answer: str, category: str) -> tuple[str, str, str]:
    question, answer, category = question.strip(), answer.strip(), category.strip()
    errors = {}
    if not question:
        errors["question"] = _("Écrivez la question, telle qu'un visiteur la poserait.")
    elif len(question) > QUESTION_MAX:
        errors["question"] = _("La question est trop longue (%(max)s caractères au plus).") % {
            "max": QUESTION_MAX
        }
    if not answer:
        errors["answer"] = _("Écrivez la réponse : c'est elle que le bot donnera.")
    elif len(answer) > ANSWER_MAX:
        errors["answer"] = _("La réponse est trop longue (%(max)s caractères au plus).") % {"max": ANSWER_MAX}
    if len(category) > CATEGORY_MAX:
        errors["category"] = _("La catégorie est trop longue (%(max)s caractères au plus).") % {
            "max": CATEGORY_MAX
        }
    if errors:
        raise FaqError(errors=errors)
    return question, answer, category


def faq_entry_create(
    *,
    question: str,
    answer: str,
    category: str = "",
    is_published: bool = True,
    answers_message_ids: Iterable[int] = (),
) -> FaqEntry:
    """Create an FAQ entry, index it at once, and mark the bot's answers it makes up for as answered.

    `answers_message_ids`: the bot's messages (unanswered or rated « pas utile ») whose questions the entry
    answers; they leave the back-office list. Raises FaqError (with one message per field) when the text is
    refused; nothing is written then.
    """
    question, answer, category = _checked(question=question, answer=answer, category=category)
    position = (FaqEntry.objects.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    with transaction.atomic():
        entry = FaqEntry.objects.create(
            question=question,
            answer=answer,
            category=category,
            is_published=is_published,
            position=min(position, 32767),
        )
        Message.objects.filter(pk__in=list(answers_message_ids), role=Message.Role.ASSISTANT).update(
            faq_entry=entry, reviewed_at=timezone.now()
        )
    faq_entry_index(entry=entry)
    return entry


def unanswered_dismiss(*, message_ids: Iterable[int]) -> int:
    """Take the bot's answers out of « Questions sans réponse » without an FAQ entry (spam, off-topic);
    returns how many were dismissed."""
    return Message.objects.filter(
        pk__in=list(message_ids), role=Message.Role.ASSISTANT, reviewed_at__isnull=True
    ).update(reviewed_at=timezone.now())
