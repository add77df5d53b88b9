"""The FAQ: written by staff, shown on /faq/ with its structured data, and answered by the bot as soon as saved."""

import json
import re

import pytest
from django.urls import reverse

from frenchbot.assistant.demo import faq_demo_entries, faq_demo_load
from frenchbot.assistant.faq import FaqError, faq_entry_create
from frenchbot.assistant.indexing import FaqSource
from frenchbot.assistant.models import FaqEntry
from frenchbot.retrieval.models import Chunk, Document
from frenchbot.retrieval.selectors import search
from frenchbot.retrieval.services import document_index, index_rebuild

pytestmark = pytest.mark.django_db

CPF_ANSWER = (
    "Le compte personnel de formation ne finance que les formations inscrites sur Mon Compte Formation. "
    "Les nôtres n'y sont pas inscrites : un particulier règle directement sa formation."
)


def _ld_json(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD in the page"
    return json.loads(match.group(1))


def test_the_faq_page_groups_entries_by_category_with_anchors_and_structured_data(client):
    cpf = faq_entry_create(question="Puis-je payer avec mon CPF ?", answer=CPF_ANSWER, category="Financement")
    faq_entry_create(
        question="Combien dure une formation ?",
        answer="**Six heures** pour ChatGPT au quotidien.",
        category="Nos formations",
    )
    response = client.get("/faq/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="{cpf.slug}"' in html and cpf.slug == "puis-je-payer-avec-mon-cpf"
    assert "<h2" in html and "Financement" in html and "Nos formations" in html
    assert "<strong>Six heures</strong>" in html  # the answer's Markdown, rendered
    data = _ld_json(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "FAQPage"
    questions = {item["name"]: item for item in data["mainEntity"]}
    assert set(questions) == {"Puis-je payer avec mon CPF ?", "Combien dure une formation ?"}
    assert questions["Puis-je payer avec mon CPF ?"]["@type"] == "Question"
    assert questions["Puis-je payer avec mon CPF ?"]["acceptedAnswer"]["@type"] == "Answer"
    assert "Mon Compte Formation" in questions["Puis-je payer avec mon CPF ?"]["acceptedAnswer"]["text"]


def test_an_answer_cannot_break_out_of_the_structured_data_or_inject_script(client):
    faq_entry_create(question="Et le HTML ?", answer="</script><script>alert(1)</script> & <b>gras</b>")
    html = client.get("/faq/").content.decode()
    assert "<script>alert(1)" not in html
    assert _ld_json(html)["mainEntity"][0]["name"] == "Et le HTML ?"


def test_an_unpublished_entry_is_neither_shown_nor_indexed(client):
    draft = faq_entry_create(question="Question en brouillon ?", answer="Pas encore.", is_published=False)
    assert "Question en brouillon" not in client.get("/faq/").content.decode()
    assert not Document.objects.filter(source=FaqSource.name).exists()
    assert FaqSource().item(draft) is None and list(FaqSource().items()) == []
    index_rebuild()
    assert not Document.objects.filter(source=FaqSource.name).exists()


def test_an_entry_created_is_found_by_the_bot_at_once_for_a_reworded_question():
    document_index(
        source="blog",
        source_id="1",
        title="Financer la formation de vos équipes",
        url="/blog/financer/",
        text="Votre OPCO peut prendre en charge une partie des frais de formation de vos salariés.",
    )
    entry = faq_entry_create(question="Puis-je payer ma formation avec mon CPF ?", answer=CPF_ANSWER)
    # No worker ran: the entry is in the index when faq_entry_create returns.
    hits = search(query="Est-ce que mon compte personnel de formation peut financer votre formation ?")
    assert hits and hits[0].url == f"/faq/#{entry.slug}"
    assert hits[0].title == "Puis-je payer ma formation avec mon CPF ?"


def test_a_heading_in_an_answer_does_not_add_a_second_anchor_to_the_link():
    entry = faq_entry_create(
        question="Comment se passe une formation en entreprise ?",
        answer="## Avant\n\nNous préparons le programme avec vous.\n\n## Pendant\n\nDes exercices sur vos cas.",
    )
    urls = set(Chunk.objects.filter(document__source=FaqSource.name).values_list("document__url", "anchor"))
    assert urls == {(f"/faq/#{entry.slug}", "")}


def test_unpublishing_in_the_admin_takes_the_entry_out_of_the_bot_at_once(admin_client):
    entry = faq_entry_create(question="Puis-je payer ma formation avec mon CPF ?", answer=CPF_ANSWER)
    assert Document.objects.filter(source=FaqSource.name, source_id=str(entry.pk)).exists()
    url = reverse("admin:assistant_faqentry_change", args=[entry.pk])
    response = admin_client.post(
        url, {"question": entry.question, "answer": entry.answer, "category": "", "position": 1}
    )
    assert response.status_code == 302
    assert not Document.objects.filter(source=FaqSource.name).exists()


def test_an_entry_written_in_the_admin_is_indexed_at_once(admin_client):
    response = admin_client.post(
        reverse("admin:assistant_faqentry_add"),
        {
            "question": "Proposez-vous des formations en anglais ?",
            "answer": "Nos formations sont données en français ; les supports peuvent être fournis en anglais.",
            "category": "Nos formations",
            "position": 3,
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    entry = FaqEntry.objects.get()
    hits = search(query="formations données en anglais ?")
    assert hits and hits[0].url == f"/faq/#{entry.slug}"


def test_the_anchor_stays_when_the_question_is_reworded_and_two_alike_questions_get_two_anchors():
    first = faq_entry_create(question="Combien ça coûte ?", answer="190 € TTC.")
    second = faq_entry_create(question="Combien ça coûte ?", answer="Sur devis pour une entreprise.")
    assert first.slug != second.slug
    first.question = "Combien coûte la formation ChatGPT au quotidien ?"
    first.save()
    first.refresh_from_db()
    assert first.slug == "combien-ca-coute"


def test_an_empty_question_or_answer_is_refused_and_nothing_is_written():
    with pytest.raises(FaqError) as refused:
        faq_entry_create(question="   ", answer="")
    assert set(refused.value.errors) == {"question", "answer"}
    assert not FaqEntry.objects.exists() and not Document.objects.exists()


def test_the_faq_is_in_the_sitemap_and_the_footer(client):
    faq_entry_create(question="Une question ?", answer="Une réponse.")
    assert "/faq/</loc>" in client.get("/sitemap.xml").content.decode()
    assert 'href="/faq/"' in client.get("/mentions-legales/").content.decode()


def test_the_demo_faq_loads_once_and_its_entries_stand_on_their_own():
    entries = faq_demo_entries()
    assert len(entries) >= 10 and all(e["question"].endswith("?") and e["answer"] for e in entries)
    assert faq_demo_load() == len(entries)
    assert faq_demo_load() == 0
    assert FaqEntry.objects.count() == len(entries)
    assert any("OPCO" in entry.question for entry in FaqEntry.objects.all())


def test_the_question_of_the_qualiopi_certification_is_answered_by_the_demo_faq_not_the_privacy_policy():
    # What the bot used to quote: the sessions' entry of the privacy policy, which names Qualiopi.
    document_index(
        source="page",
        source_id="confidentialite",
        title="Politique de confidentialité",
        url="/confidentialite/",
        text=(
            "## Sessions de formation\n\nInscriptions, questionnaires de positionnement, émargement et enquêtes "
            "de satisfaction : les preuves que demandent la certification Qualiopi et les financeurs."
        ),
    )
    for demo in faq_demo_entries():
        faq_entry_create(question=demo["question"], answer=demo["answer"])  # indexed at once, as in the admin
    hits = search(query="Êtes-vous un organisme certifié Qualiopi ?")
    assert hits and hits[0].title == "Vos formations sont-elles certifiées Qualiopi ?"
    assert hits[0].url.startswith("/faq/#")
