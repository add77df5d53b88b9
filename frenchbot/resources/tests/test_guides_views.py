"""Guides and templates as a visitor meets them: the hub, a guide's page, its PDF and its uploaded file, drafts,
the « Ressources liées » box on articles and trainings, and the page cache retired by a change."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.courses.tests.factories import LessonFactory, ModuleFactory, TrainingFactory
from frenchbot.resources.tests.factories import (
    GlossaryTermFactory,
    GuideFactory,
    PromptFactory,
)

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_hub_lists_guides_as_cards_with_badges_and_the_two_doors_with_counts(client):
    GuideFactory(title="Guide du prompt efficace", is_gated=False)
    gated = GuideFactory(title="Charte d'utilisation de l'IA générative", kind="template", is_gated=True)
    gated.file.save("charte.docx", ContentFile(b"PK\x03\x04 docx"), save=True)
    GuideFactory(title="Guide encore en brouillon", is_published=False)
    PromptFactory.create_batch(3)
    PromptFactory(is_published=False)
    GlossaryTermFactory.create_batch(2)

    response = client.get(reverse("resources:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Guide du prompt efficace" in html
    assert "Charte d&#x27;utilisation de l&#x27;IA générative" in html
    assert "Guide encore en brouillon" not in html
    assert "Sur e-mail" in html and "DOCX" in html and "PDF" in html
    assert "3 prompts prêts à copier" in html
    assert "2 mots de l'IA" in html
    assert reverse("resources:prompts") in html and reverse("resources:glossary") in html


def test_guide_page_renders_the_markdown_body_sanitised_with_a_table_of_contents(client):
    guide = GuideFactory(body=GuideFactory._meta.declarations["body"] + "\n[piège](javascript:alert(1))\n")

    response = client.get(guide.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="choisir-ses-premiers-cas-d-usage">' in html
    assert 'href="#mesurer-le-temps-gagne"' in html  # the table of contents
    assert 'href="javascript:' not in html
    assert reverse("resources:guide_pdf", args=[guide.slug]) in html


def test_draft_guide_is_404_for_visitors_and_shown_to_staff(client, admin_client):
    guide = GuideFactory(is_published=False)

    assert client.get(guide.get_absolute_url()).status_code == 404
    assert client.get(reverse("resources:guide_pdf", args=[guide.slug])).status_code == 404
    response = admin_client.get(guide.get_absolute_url())
    assert response.status_code == 200
    assert "Brouillon" in response.content.decode()


def test_pdf_is_a_real_pdf_with_cover_title_and_table_of_contents(client):
    guide = GuideFactory(title="Guide de l'IA pour les PME")

    response = client.get(reverse("resources:guide_pdf", args=[guide.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{guide.slug}.pdf"'
    content = b"".join(response) if response.streaming else response.content
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 3  # cover, contents, body
    text = _pdf_text(content)
    assert "Guide de l’IA pour les PME" in text or "Guide de l'IA pour les PME" in text
    contents_page = reader.pages[1].extract_text()
    assert "Sommaire" in contents_page
    assert "Choisir ses premiers cas d" in contents_page and "Fixer les règles" in contents_page


def test_uploaded_file_is_served_as_an_attachment_with_its_type(client):
    guide = GuideFactory(body="", kind="template")
    guide.file.save("modele-charte.xlsx", ContentFile(b"PK\x03\x04 xlsx bytes"), save=True)

    response = client.get(reverse("resources:guide_file", args=[guide.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"PK\x03\x04 xlsx bytes"
    # No written body: no PDF to make.
    assert client.get(reverse("resources:guide_pdf", args=[guide.slug])).status_code == 404


def test_related_box_on_an_article_lists_its_guides_and_prompts(client):
    article = ArticleFactory()
    other = ArticleFactory()
    guide = GuideFactory(title="Guide lié à l'article")
    guide.articles.add(article)
    prompt = PromptFactory(title="Prompt lié à l'article")
    prompt.articles.add(article)
    GuideFactory(title="Guide lié ailleurs").articles.add(other)
    GuideFactory(title="Guide brouillon lié", is_published=False).articles.add(article)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Ressources liées" in html
    assert "Guide lié à l&#x27;article" in html and "Prompt lié à l&#x27;article" in html
    assert "Guide lié ailleurs" not in html and "Guide brouillon lié" not in html
    assert "Guide lié ailleurs" in client.get(other.get_absolute_url()).content.decode()


def test_related_box_on_a_training_and_its_lessons(client):
    training = TrainingFactory()
    lesson = LessonFactory(module=ModuleFactory(training=training), is_preview=True)
    guide = GuideFactory(title="Guide pour la formation")
    guide.trainings.add(training)

    training_html = client.get(training.get_absolute_url()).content.decode()
    lesson_html = client.get(lesson.get_absolute_url()).content.decode()

    assert "Ressources liées" in training_html and "Guide pour la formation" in training_html
    assert "Ressources liées" in lesson_html and "Guide pour la formation" in lesson_html


def test_no_related_box_without_related_resources(client):
    article = ArticleFactory()
    GuideFactory()

    assert "Ressources liées" not in client.get(article.get_absolute_url()).content.decode()


def test_saving_a_guide_retires_the_cached_hub(client, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_SECONDS = 300
    guide = GuideFactory(title="Premier titre du guide")
    assert "Premier titre du guide" in client.get(reverse("resources:index")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        guide.title = "Nouveau titre du guide"
        guide.save()

    html = client.get(reverse("resources:index")).content.decode()
    assert "Nouveau titre du guide" in html and "Premier titre du guide" not in html


def test_linking_a_guide_to_an_article_retires_the_cached_article_page(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 300
    article = ArticleFactory()
    guide = GuideFactory(title="Guide lié après coup")
    assert "Guide lié après coup" not in client.get(article.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        guide.articles.add(article)

    assert "Guide lié après coup" in client.get(article.get_absolute_url()).content.decode()


def test_guide_page_carries_structured_data_and_open_graph(client):
    guide = GuideFactory(title="Charte </script> IA", kind="template")

    html = client.get(guide.get_absolute_url()).content.decode()

    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(block)
    assert data["@type"] == "DigitalDocument" and data["name"] == "Charte </script> IA"
    assert data["inLanguage"] == "fr" and data["isAccessibleForFree"] is True
    assert '<meta property="og:title" content="Charte &lt;/script&gt; IA">' in html
