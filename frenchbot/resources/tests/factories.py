"""Factories for every model of the resources app: guides and their requests, use cases, AI tools, prompts and
glossary terms. Published by default, as a visitor meets them."""

import factory
from django.utils import timezone

from frenchbot.resources.models import AiTool, GlossaryTerm, Guide, GuideRequest, Prompt, UseCase

GUIDE_BODY = """Ce guide vous aide à démarrer avec l'IA générative au bureau.

## Choisir ses premiers cas d'usage

Commencez par les tâches répétitives\u00a0: réponses aux e-mails, comptes rendus, fiches produits.

### Mesurer le temps gagné

Notez le temps passé avant et après pendant deux semaines.

## Fixer les règles

Aucune donnée client dans un outil grand public sans accord écrit.
"""


class GuideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guide

    title = factory.Sequence(lambda n: f"Guide de l'IA au bureau {n}")
    slug = factory.Sequence(lambda n: f"guide-ia-bureau-{n}")
    kind = Guide.Kind.GUIDE
    summary = (
        "Les premiers pas avec l'IA générative dans une PME\u00a0: par où commencer et quelles règles fixer."
    )
    body = GUIDE_BODY
    is_gated = False
    is_published = True
    published_at = factory.LazyFunction(timezone.now)


class GuideRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuideRequest

    guide = factory.SubFactory(GuideFactory, is_gated=True)
    email = factory.Sequence(lambda n: f"lecteur{n}@example.fr")
    name = "Claire Martin"
    consent_text = "J'accepte de recevoir ce guide par e-mail."


class UseCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseCase
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Cas d'usage {n}")
    slug = factory.Sequence(lambda n: f"cas-usage-{n}")
    description = "Des prompts pour gagner du temps au quotidien."
    order = factory.Sequence(lambda n: n)


class AiToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AiTool
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Assistant {n}")
    slug = factory.Sequence(lambda n: f"assistant-{n}")
    order = factory.Sequence(lambda n: n)


class PromptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prompt
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Répondre à une réclamation client {n}")
    slug = factory.Sequence(lambda n: f"repondre-reclamation-{n}")
    use_case = factory.SubFactory(UseCaseFactory)
    goal = "Rédiger une réponse courtoise et précise à un client mécontent."
    body = (
        "Tu es responsable du service client d'une entreprise du secteur [secteur]. Réponds sur un ton [ton]."
    )
    example_output = "Madame, nous avons bien reçu votre message et nous vous présentons nos excuses."
    tips = "Relisez toujours la réponse avant de l'envoyer."
    is_published = True

    @factory.post_generation
    def tools(self, create, extracted, **kwargs):
        if create and extracted:
            self.tools.set(extracted)


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    term = factory.Sequence(lambda n: f"Hallucination {n}")
    slug = factory.Sequence(lambda n: f"hallucination-{n}")
    aliases = ""
    short_definition = "Une réponse fausse qu'un modèle de langage présente avec assurance."
    body = "Un modèle **prédit** des mots plausibles\u00a0: il peut inventer une source ou un chiffre."
    is_published = True
