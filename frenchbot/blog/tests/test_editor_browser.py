"""The writer's desk in a real browser: type Markdown, see the live preview, save, find the revision."""

import pytest
from django.contrib.auth.models import Permission

from frenchbot.blog.models import Article, ArticleRevision

from .factories import CategoryFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login_writer(page, django_user_model):
    user = django_user_model.objects.create_user(
        "redactrice", password="motdepasse-solide-42", is_staff=True, first_name="Alice", last_name="Durand"
    )
    codenames = ["add_article", "change_article", "view_article", "view_category", "view_tag"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Nom d’utilisateur").fill("redactrice")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()
    return user


def test_write_preview_save_and_find_the_revision(page, django_user_model):
    category = CategoryFactory(name="Tutoriels")
    _login_writer(page, django_user_model)
    # The category comes pre-selected through the URL, as the admin allows for any field.
    page.goto(f"/admin/blog/article/add/?category={category.pk}")
    page.get_by_label("Titre").first.fill("Mon premier tutoriel")
    body = page.locator('textarea[data-editor="markdown"]')
    body.fill("## Bien démarrer\n\nUn paragraphe avec du **gras**.\n\n```python\nprint('ok')\n```")

    preview = page.locator("[data-preview]")
    expect(preview.locator("h2#bien-demarrer")).to_have_text("Bien démarrer")
    expect(preview.locator("strong")).to_have_text("gras")
    expect(preview.locator("pre.highlight span.nb")).to_have_text("print")
    expect(page.get_by_role("heading", name="Aperçu")).to_be_visible()

    # Typing again updates the preview (debounced), without a reload.
    body.press("End")
    body.type("\n\n### Aller plus loin")
    expect(preview.locator("h3#aller-plus-loin")).to_have_text("Aller plus loin")

    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer", exact=True).click()
    article = Article.objects.get(title="Mon premier tutoriel")
    assert ArticleRevision.objects.filter(article=article, kind="save").count() == 1

    page.goto(f"/admin/blog/article/{article.pk}/change/")
    with page.expect_navigation():
        page.get_by_role("link", name="Révisions").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Révisions de « Mon premier tutoriel »")
    rows = page.locator(".fb-revisions tbody tr")
    expect(rows).to_have_count(2)  # the current text, and the saved revision
    expect(rows.nth(1)).to_contain_text("Enregistrement")
    expect(rows.nth(1)).to_contain_text("Alice Durand")


def test_an_autosave_newer_than_the_last_save_is_offered_back(page, django_user_model):
    from frenchbot.blog import services

    from .factories import ArticleFactory

    user = _login_writer(page, django_user_model)
    article = ArticleFactory(title="Article existant", body="Texte enregistré.")
    services.article_autosave(
        article=article, user=user, title="Article existant", excerpt="", body="## Brouillon repris\n\nSuite."
    )
    page.goto(f"/admin/blog/article/{article.pk}/change/")
    offer = page.get_by_role("region", name="Restaurer le brouillon enregistré automatiquement")
    expect(offer).to_contain_text("plus récent que la dernière version enregistrée")
    offer.get_by_role("button", name="Restaurer le brouillon enregistré automatiquement").click()
    expect(offer).to_have_count(0)
    expect(page.locator('textarea[data-editor="markdown"]')).to_have_value("## Brouillon repris\n\nSuite.")
    expect(page.locator("[data-preview] h2#brouillon-repris")).to_be_visible()
    # Restoring fills the form only: the article changes when the writer saves.
    article.refresh_from_db()
    assert article.body == "Texte enregistré."


def test_a_new_article_keeps_its_draft_in_the_browser(page, django_user_model):
    category = CategoryFactory()
    _login_writer(page, django_user_model)
    # The page's timers run on a clock the test moves forward: no ten-second wait.
    page.clock.install()
    page.goto(f"/admin/blog/article/add/?category={category.pk}")
    page.get_by_label("Titre").first.fill("Brouillon jamais enregistré")
    page.locator('textarea[data-editor="markdown"]').fill("## Idées\n\nÀ développer.")
    page.clock.run_for(11_000)
    expect(page.locator(".fb-autosave-status")).to_contain_text("Brouillon gardé dans ce navigateur à")

    # The tab is closed by mistake; on the next visit the draft is offered back.
    page.goto(f"/admin/blog/article/add/?category={category.pk}")
    offer = page.get_by_role("region", name="Restaurer le brouillon enregistré automatiquement")
    expect(offer).to_contain_text("gardé dans ce navigateur")
    offer.get_by_role("button", name="Restaurer le brouillon enregistré automatiquement").click()
    expect(page.locator('textarea[data-editor="markdown"]')).to_have_value("## Idées\n\nÀ développer.")
    expect(page.get_by_label("Titre").first).to_have_value("Brouillon jamais enregistré")
    assert not Article.objects.exists()
