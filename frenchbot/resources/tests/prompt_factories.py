"""Factories of the prompt library and the glossary (guides have theirs in factories.py)."""

import factory

from frenchbot.resources.models import AiTool, GlossaryTerm, Prompt, UseCase


class UseCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseCase
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Usage {n}")
    slug = factory.Sequence(lambda n: f"usage-{n}")


class AiToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AiTool
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Assistant {n}")
    slug = factory.Sequence(lambda n: f"assistant-{n}")


class PromptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prompt
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Prompt {n}")
    slug = factory.Sequence(lambda n: f"prompt-{n}")
    use_case = factory.SubFactory(UseCaseFactory)
    goal = "Rédiger un e-mail de relance courtois."
    body = "Tu es un expert du secteur [secteur]. Rédige un e-mail au ton [ton]."
    example_output = "Bonjour Madame,\nJe me permets de revenir vers vous."
    tips = "Précisez le contexte."
    is_published = True

    @factory.post_generation
    def tools(self, create, extracted, **kwargs):
        if create and extracted:
            self.tools.set(extracted)


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    term = factory.Sequence(lambda n: f"Terme {n}")
    slug = factory.Sequence(lambda n: f"terme-{n}")
    short_definition = "Une définition courte."
    body = "Une explication **simple**."
    is_published = True
    autolink = True
