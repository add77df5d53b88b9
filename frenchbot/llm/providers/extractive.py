"""The default provider: no language model at all, the answer is sentences taken from the site's own content.

It answers the last user message with the sentences of the given passages that best match it
(``frenchbot.core.extractive.extract_answer``), so ``make run`` gives a working bot with no key, no download and
no GPU. The sources are not repeated in the text: the assistant lists the passages it gave beside the answer.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence

from django.utils.translation import gettext

from frenchbot.core.extractive import extract_answer

from ..base import Capabilities, ChatOptions, Message, Passage, Provider, check_messages, last_user_message

__all__ = ["ExtractiveProvider"]

# A word with the spaces after it: the deltas joined give back the text exactly.
_WORD = re.compile(r"\S+\s*")


class ExtractiveProvider(Provider):
    """Answers from the passages only, word by word, in their own (French) words.

    Options:
        max_sentences: at most this many sentences in an answer.

    With no passage, or no sentence sharing a word with the question, it says politely that it does not know and
    suggests what to do next (rephrase, the trainings, the free audit call). ``options.max_tokens`` bounds the
    answer in words; the temperature and stop strings mean nothing here.
    """

    model_id = "extractive"
    capabilities = Capabilities(streaming=True, uses_passages_only=True, local=True)

    def __init__(self, *, max_sentences: int = 3) -> None:
        if max_sentences < 1:
            raise ValueError("max_sentences must be at least 1")
        self.max_sentences = max_sentences

    @property
    def display_name(self) -> str:
        # Read at each use, so that it comes out in the language of the request being served.
        return gettext("Réponse extraite de nos contenus (sans IA générative)")

    async def stream(
        self,
        messages: Sequence[Message],
        *,
        options: ChatOptions = ChatOptions(),  # noqa: B008
        passages: Sequence[Passage] = (),
        usage: dict[str, int] | None = None,
    ) -> AsyncIterator[str]:
        messages = check_messages(messages)
        # A few passages take a few milliseconds to score: not worth a thread hop.
        # Earlier user turns, when given, are what the question leans on (a follow-up's subject).
        earlier = [m.content for m in messages if m.role == "user"][:-1]
        text = self.answer(query=last_user_message(messages), passages=passages, context=" ".join(earlier))
        words = _WORD.findall(text)[: max(1, options.max_tokens)]
        words[-1] = words[-1].rstrip()  # a cut answer does not end with a dangling space
        if usage is not None:
            usage["completion_tokens"] = len(words)
        for word in words:
            yield word

    def answer(self, *, query: str, passages: Sequence[Passage], context: str = "") -> str:
        """The whole answer text: the chosen sentences, or the "je ne sais pas" message."""
        answer = extract_answer(
            query=query, passages=list(passages), max_sentences=self.max_sentences, context=context
        )
        if answer.text.strip():
            return answer.text.strip()
        return gettext(
            "Je n'ai pas trouvé la réponse dans nos contenus. Vous pouvez reformuler votre question, "
            "consulter nos formations ou réserver l'appel d'audit offert avec notre équipe."
        )
