"""The demo resources (`resources/demo/`): four guides (one gated, one the charter template), 28 prompts over
seven use cases and 34 glossary terms, written in French for the project, loaded once by `frenchbot demo`,
linked to the demo articles and trainings, and removed without touching what the team wrote."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from frenchbot.blog.demo import demo_articles
from frenchbot.blog.demo import demo_load as blog_demo_load
from frenchbot.blog.models import Article
from frenchbot.core.datafiles import DataFileError
from frenchbot.core.text import render_markdown
from frenchbot.courses.demo import courses_demo_load, courses_demo_trainings
from frenchbot.courses.models import Training
from frenchbot.resources import demo
from frenchbot.resources.models import AiTool, GlossaryTerm, Guide, GuideRequest, Prompt, UseCase

pytestmark = pytest.mark.django_db

WORD = re.compile(r"[\w’'-]+")
CHARTER = "Charte d'utilisation de l'IA générative"
USE_CASES = {"E-mails", "Résumés", "Ressources humaines", "Ventes", "Marketing", "Service client", "Données"}
TOOLS = {"ChatGPT", "Claude", "Le Chat (Mistral)", "Microsoft Copilot", "Gemini"}
# Auto-linked in articles: a form this common would link words that have nothing to do with the term.
TOO_GENERIC = {
    "ia",
    "modèle",
    "modèles",
    "données",
    "outil",
    "assistant",
    "le chat",
    "chat",
    "agent",
    "biais",
}


def words(text: str) -> int:
    return len(WORD.findall(text))


@pytest.fixture
def loaded():
    """The blog and courses demos first, as `frenchbot demo` runs them, so that related slugs can resolve."""
    blog_demo_load()
    courses_demo_load()
    return demo.resources_demo_load()


def test_the_demo_creates_guides_prompts_and_terms(loaded):
    assert loaded == {"guides": 4, "use_cases": 7, "prompts": 28, "terms": 34}
    assert Guide.objects.filter(is_published=True).count() == 4
    assert Prompt.objects.filter(is_published=True).count() == 28
    assert GlossaryTerm.objects.filter(is_published=True).count() == 34
    assert set(UseCase.objects.values_list("name", flat=True)) == USE_CASES
    assert set(AiTool.objects.values_list("name", flat=True)) == TOOLS


def test_guides_are_complete_documents_with_sections_for_the_table_of_contents(loaded):
    charter = Guide.objects.get(title=CHARTER)
    assert charter.kind == Guide.Kind.TEMPLATE and not charter.is_gated
    checklist = Guide.objects.get(kind=Guide.Kind.CHECKLIST)
    assert checklist.body_html.count("<li>☐ ") == 30
    assert "[Nom de l'entreprise]" in charter.body and "## Signature" in charter.body
    assert Guide.objects.filter(is_gated=True).count() >= 1
    assert {guide.kind for guide in Guide.objects.all()} == {"guide", "template", "checklist"}
    now = timezone.now()
    for guide in Guide.objects.all():
        assert 800 <= words(guide.body) <= 1500, (guide.slug, words(guide.body))
        assert len(guide.summary) <= 600 and guide.seo_description and len(guide.seo_description) <= 160
        assert guide.published_at <= now
        assert guide.body_html == render_markdown(guide.body)
        assert guide.body_html.count("<h2 id=") >= 4, guide.slug
        assert not guide.file


def test_guides_are_dated_from_the_day_of_loading():
    then = timezone.now() - timezone.timedelta(days=400)
    demo.resources_demo_load(now=then)
    dates = sorted(Guide.objects.values_list("published_at", flat=True))
    assert dates[-1] <= then and dates[0] >= then - timezone.timedelta(days=60)


def test_each_use_case_has_four_prompts_with_variables_and_a_filled_in_example(loaded):
    for use_case in UseCase.objects.all():
        assert use_case.description and use_case.prompts.count() >= 4, use_case.name
    for prompt in Prompt.objects.prefetch_related("tools"):
        variables = demo.prompt_variables(prompt.body)
        assert 2 <= len(variables) <= 4, (prompt.slug, variables)
        assert 60 <= words(prompt.body) <= 200, (prompt.slug, words(prompt.body))
        assert prompt.goal and prompt.tips and prompt.example_output
        assert not demo.VARIABLE.search(prompt.example_output), prompt.slug
        assert prompt.tools.exists()
    # One spelling per variable in a prompt: « [texte à résumer] » is not also « [texte a resumer] ».
    for prompt in Prompt.objects.all():
        folded = [
            variable.casefold().replace("é", "e").replace("à", "a")
            for variable in demo.prompt_variables(prompt.body)
        ]
        assert len(folded) == len(set(folded)), prompt.slug


def test_glossary_terms_are_defined_explained_and_related(loaded):
    forms = {}
    for term in GlossaryTerm.objects.prefetch_related("related"):
        assert 0 < len(term.short_definition) <= 300, term.slug
        assert 80 <= words(term.body) <= 200, (term.slug, words(term.body))
        assert term.body_html == render_markdown(term.body)
        assert term.related.exists(), term.slug
        for form in [term.term, *term.aliases.split(",")]:
            form = form.strip().casefold()
            assert form not in TOO_GENERIC, (term.slug, form)
            assert forms.setdefault(form, term.slug) == term.slug, f"'{form}' belongs to two terms"
    llm = GlossaryTerm.objects.get(slug="llm")
    assert "grand modèle de langage" in llm.aliases and "grands modèles de langage" in llm.aliases
    # The relation goes both ways: RAG names embedding, and embedding shows RAG.
    assert GlossaryTerm.objects.get(slug="rag") in GlossaryTerm.objects.get(slug="embedding").related.all()
    assert not GlossaryTerm.objects.get(slug="temperature").autolink


def test_related_slugs_name_demo_articles_and_trainings_and_are_linked(loaded):
    data = demo.resources_demo_read()
    published = {article.meta["slug"] for article in demo_articles() if article.meta.get("status") != "draft"}
    trainings = {training["slug"] for training in courses_demo_trainings()}
    for item in data["guides"] + data["prompts"]:
        assert set(item["articles"]) <= published, item["slug"]
        assert set(item["trainings"]) <= trainings, item["slug"]
        row = (Guide if item in data["guides"] else Prompt).objects.get(slug=item["slug"])
        assert sorted(row.articles.values_list("slug", flat=True)) == sorted(item["articles"])
        assert sorted(row.trainings.values_list("slug", flat=True)) == sorted(item["trainings"])
    charter = Guide.objects.get(title=CHARTER)
    assert charter.articles.filter(slug="rgpd-ia-generative-pme").exists()
    assert charter.trainings.filter(slug="ia-dans-votre-pme").exists()
    assert Article.objects.exists() and Training.objects.exists()


def test_related_content_that_is_not_there_is_skipped():
    created = demo.resources_demo_load()
    assert created["guides"] == 4
    assert not Guide.objects.get(title=CHARTER).articles.exists()


def test_french_typography_is_applied(loaded):
    texts = [g.title + g.summary + g.body + g.seo_description for g in Guide.objects.all()]
    texts += [p.title + p.goal + p.body + p.example_output + p.tips for p in Prompt.objects.all()]
    texts += [t.short_definition + t.body for t in GlossaryTerm.objects.all()]
    texts += [u.description for u in UseCase.objects.all()]
    for text in texts:
        assert not re.search(r" [:;!?»]", text), re.search(r".{30} [:;!?»]", text)
        assert "« " not in text, text[:80]
    assert Guide.objects.filter(title="Check-list\u00a0: choisir un outil d'IA conforme au RGPD").exists()


def test_frenchbot_demo_loads_the_resources_once(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_login=True)
    counts = (Guide.objects.count(), Prompt.objects.count(), GlossaryTerm.objects.count())
    assert counts == (4, 28, 34)
    # Loaded after the blog and the courses: the links are there.
    assert Guide.objects.get(title=CHARTER).articles.exists()
    assert demo.demo_report() == ""
    call_command("demo", quiet_login=True)
    assert (Guide.objects.count(), Prompt.objects.count(), GlossaryTerm.objects.count()) == counts
    assert (UseCase.objects.count(), AiTool.objects.count()) == (7, 5)


def test_what_the_team_edited_is_left_as_it_is(loaded):
    Prompt.objects.filter(slug="relancer-un-devis").update(title="Notre relance maison")
    GlossaryTerm.objects.filter(slug="rag").delete()
    assert demo.resources_demo_load() == {"guides": 0, "use_cases": 0, "prompts": 0, "terms": 1}
    assert Prompt.objects.get(slug="relancer-un-devis").title == "Notre relance maison"
    # The term put back finds its related terms again.
    assert GlossaryTerm.objects.get(slug="rag").related.filter(slug="embedding").exists()


def test_remove_takes_the_demo_out_and_leaves_the_team_s_own(loaded):
    sales = UseCase.objects.get(slug="ventes")
    ours = Prompt.objects.create(
        title="Notre prompt", slug="notre-prompt", use_case=sales, goal="Le nôtre.", body="[client]"
    )
    ours.tools.add(AiTool.objects.get(slug="claude"))
    Guide.objects.create(title="Notre guide", slug="notre-guide", summary="Le nôtre.")
    GlossaryTerm.objects.create(term="Notre terme", slug="notre-terme", short_definition="Le nôtre.")

    message = demo.demo_remove()
    assert "4 guides, 28 prompts et 34 termes" in message.replace("\u00a0", " ")
    assert list(Guide.objects.values_list("slug", flat=True)) == ["notre-guide"]
    assert list(Prompt.objects.values_list("slug", flat=True)) == ["notre-prompt"]
    assert list(GlossaryTerm.objects.values_list("slug", flat=True)) == ["notre-terme"]
    # The use case and the tool our prompt uses stay; the other demo ones go.
    assert list(UseCase.objects.values_list("slug", flat=True)) == ["ventes"]
    assert list(AiTool.objects.values_list("slug", flat=True)) == ["claude"]
    assert demo.demo_remove() == ""


def test_every_data_file_is_valid():
    data = demo.resources_demo_read()
    assert len(data["guides"]) >= 4 and len(data["prompts"]) >= 28 and len(data["terms"]) >= 32
    assert len(data["library"]["use_cases"]) == 7 and len(data["library"]["tools"]) == 5


def test_a_prompt_without_variable_is_refused_with_its_place(tmp_path, monkeypatch):
    (tmp_path / "e-mails.toml").write_text(
        'use_case = "e-mails"\n[[prompts]]\nslug = "x"\ntitle = "X"\ngoal = "G"\nbody = "Sans variable"\n'
        'example_output = ""\ntips = ""\ntools = ["chatgpt"]\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(demo, "PROMPTS_DIR", tmp_path)
    with pytest.raises(DataFileError, match=r"e-mails\.toml, prompt 1: the prompt has no variable"):
        demo.resources_demo_load()
    assert not Guide.objects.exists() and not UseCase.objects.exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('related = ["nowhere"]', "'related' names no term of this file: 'nowhere'"),
        ("autolink = 1", "'autolink' should be true or false"),
        ('colour = "red"', "unknown key 'colour'"),
    ],
)
def test_a_wrong_glossary_entry_names_its_place(tmp_path, monkeypatch, line, message):
    bad = tmp_path / "glossary.toml"
    bad.write_text(
        f'[[terms]]\nterm = "Jeton"\nslug = "jeton"\naliases = "jetons"\ndefinition = "D."\nbody = "B."\n{line}\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(demo, "GLOSSARY_FILE", bad)
    with pytest.raises(DataFileError, match=re.escape(f"glossary.toml, term 1: {message}")):
        demo.glossary_demo_read()


def test_an_alias_given_to_two_terms_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "glossary.toml"
    entry = (
        '[[terms]]\nterm = "{term}"\nslug = "{slug}"\naliases = "jetons"\ndefinition = "D."\nbody = "B."\n'
    )
    bad.write_text(entry.format(term="Jeton", slug="jeton") + entry.format(term="Token", slug="token"))
    monkeypatch.setattr(demo, "GLOSSARY_FILE", bad)
    with pytest.raises(DataFileError, match="'jetons' is also a form of the term 'jeton'"):
        demo.glossary_demo_read()


def test_a_guide_with_a_wrong_kind_names_its_file(tmp_path, monkeypatch):
    (tmp_path / "guide.md").write_text(
        "---\ntitle: T\nslug: t\nkind: livre\nsummary: S\n---\nTexte.\n", encoding="utf-8"
    )
    monkeypatch.setattr(demo, "GUIDES_DIR", tmp_path)
    with pytest.raises(DataFileError, match=r"guide\.md: kind: .*expected: guide, template, checklist"):
        demo.resources_demo_load()
    assert not Guide.objects.exists() and not Prompt.objects.exists() and not UseCase.objects.exists()


def test_a_demo_guide_visitors_requested_is_kept_unpublished_with_their_consent(loaded):
    gated = Guide.objects.get(is_gated=True)
    GuideRequest.objects.create(guide=gated, email="lea@example.com", consent_text="J'accepte de recevoir…")
    message = demo.demo_remove()
    assert "3 guides" in message and gated.title in message
    assert list(Guide.objects.values_list("slug", "is_published")) == [(gated.slug, False)]
    assert GuideRequest.objects.get().consent_text == "J'accepte de recevoir…"
    # Loading again leaves it as it is (unpublished): the team decides.
    demo.resources_demo_load()
    assert not Guide.objects.get(slug=gated.slug).is_published
