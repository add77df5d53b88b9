"""The admin of resources: every list and form opens, filters work, a guide shows its requests, requests are
read only, and saving a guide in the admin renders its body."""

import pytest
from django.urls import reverse
from django.utils import timezone

from frenchbot.resources.models import Guide
from frenchbot.resources.tests.factories import (
    AiToolFactory,
    GlossaryTermFactory,
    GuideFactory,
    GuideRequestFactory,
    PromptFactory,
    UseCaseFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["guide", "guiderequest", "usecase", "aitool", "prompt", "promptfavourite", "glossaryterm"]


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_and_add_form_opens(admin_client, model):
    GuideRequestFactory()
    PromptFactory(tools=[AiToolFactory()])
    GlossaryTermFactory()

    assert admin_client.get(reverse(f"admin:resources_{model}_changelist")).status_code == 200
    expected = 403 if model == "guiderequest" else 200
    assert admin_client.get(reverse(f"admin:resources_{model}_add")).status_code == expected


def test_guide_list_counts_requests_and_the_form_lists_them(admin_client):
    guide = GuideFactory(is_gated=True, title="Charte IA")
    GuideRequestFactory(guide=guide, email="a@example.fr")
    GuideRequestFactory(guide=guide, email="b@example.fr", downloaded_at=timezone.now())

    changelist = admin_client.get(reverse("admin:resources_guide_changelist")).content.decode()
    change = admin_client.get(reverse("admin:resources_guide_change", args=[guide.pk])).content.decode()

    assert 'class="field-requests_count">2<' in changelist
    assert 'class="field-downloads_count">1<' in changelist
    assert "a@example.fr" in change and "b@example.fr" in change


def test_prompts_filter_by_use_case_and_tool_and_search(admin_client):
    tool = AiToolFactory(name="Mistral Le Chat", slug="le-chat")
    emails = UseCaseFactory(name="E-mails", slug="e-mails")
    PromptFactory(title="Relancer un devis", use_case=emails, tools=[tool])
    PromptFactory(title="Résumer une réunion")
    url = reverse("admin:resources_prompt_changelist")

    by_use_case = admin_client.get(url, {"use_case__id__exact": emails.pk}).content.decode()
    by_tool = admin_client.get(url, {"tools__id__exact": tool.pk}).content.decode()
    searched = admin_client.get(url, {"q": "réunion"}).content.decode()

    assert "Relancer un devis" in by_use_case and "Résumer une réunion" not in by_use_case
    assert "Relancer un devis" in by_tool and "Résumer une réunion" not in by_tool
    assert "Résumer une réunion" in searched and "Relancer un devis" not in searched


def test_glossary_search(admin_client):
    GlossaryTermFactory(term="RAG", slug="rag", aliases="génération augmentée")
    GlossaryTermFactory(term="Token", slug="token")

    html = admin_client.get(
        reverse("admin:resources_glossaryterm_changelist"), {"q": "augmentée"}
    ).content.decode()

    assert ">RAG<" in html and ">Token<" not in html


def test_adding_a_guide_in_the_admin_renders_its_body_and_dates_its_publication(admin_client):
    response = admin_client.post(
        reverse("admin:resources_guide_add"),
        {
            "title": "Guide des prompts",
            "slug": "guide-des-prompts",
            "kind": "guide",
            "summary": "Écrire des prompts qui marchent.",
            "body": "## Le contexte\n\nDonnez le contexte.\n\n<script>alert(1)</script>",
            "is_published": "on",
            "requests-TOTAL_FORMS": "0",
            "requests-INITIAL_FORMS": "0",
            "requests-MIN_NUM_FORMS": "0",
            "requests-MAX_NUM_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    guide = Guide.objects.get(slug="guide-des-prompts")
    assert '<h2 id="le-contexte">Le contexte</h2>' in guide.body_html
    assert "<script>" not in guide.body_html
    assert guide.published_at is not None
