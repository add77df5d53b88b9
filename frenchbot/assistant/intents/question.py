"""A question about AI, the tools or the company's topics: not answered here but by retrieval over the content."""

from .base import Intent


class QuestionIntent(Intent):
    answers_itself = False


intent_class = QuestionIntent
