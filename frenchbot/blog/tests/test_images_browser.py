"""A writer in a real browser: an image uploaded into the article's body from the editor's button, then seen,
loaded, on the site."""

import pytest
from playwright.sync_api import expect

from frenchbot.blog.models import Article
from frenchbot.media.models import Image
from frenchbot.media.tests.helpers import picture_bytes

from .factories import CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, django_user_model) -> None:
    django_user_model.objects.create_superuser("redactrice", "redactrice@example.fr", "motdepasse-solide-42")
    page.goto("/admin/login/?next=/admin/blog/article/add/")
    page.get_by_label("Nom d’utilisateur").fill("redactrice")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()


def test_write_an_article_insert_an_image_with_the_button_and_see_it_on_the_site(
    page, django_user_model, tmp_path
):
    category = CategoryFactory(name="Tutoriels")
    photo = tmp_path / "schema.png"
    photo.write_bytes(picture_bytes((1400, 800), "PNG", color=(69, 123, 157)))
    _login(page, django_user_model)

    page.locator("#id_title").fill("Un article illustré")
    body = page.locator("textarea[data-media-upload]")
    body.fill("Une première phrase.\n\n")
    body.press("End")

    page.get_by_role("button", name="Insérer une image").click()
    dialog = page.get_by_role("dialog", name="Insérer une image")
    expect(dialog).to_be_visible()
    # Without alt text the image is not sent, and the dialog says why.
    dialog.get_by_label("Image (JPEG, PNG, WebP, GIF ou AVIF)").set_input_files(str(photo))
    dialog.get_by_role("button", name="Envoyer et insérer").click()
    expect(dialog.get_by_role("alert")).to_contain_text("texte alternatif est obligatoire")
    assert not Image.objects.exists()

    dialog.get_by_label("Texte alternatif (obligatoire)").fill("Un schéma bleu")
    dialog.get_by_role("button", name="Envoyer et insérer").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".media-uploader__status")).to_have_text("Image insérée dans le texte.")
    image = Image.objects.get()
    assert f"![Un schéma bleu]({image.file.url})" in body.input_value()
    assert body.input_value().startswith("Une première phrase.\n\n![Un schéma bleu]")

    # The category is an autocomplete (select2): choose it as its script would.
    page.locator("#id_category").evaluate(
        "(select, pk) => select.add(new Option('Tutoriels', pk, true, true))", str(category.pk)
    )
    page.locator("#id_status").select_option(label="Publié")
    page.locator("#id_published_at_0").fill("01/12/2026")
    page.locator("#id_published_at_1").fill("09:00:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer", exact=True).click()
    article = Article.objects.get(title="Un article illustré")
    assert "<picture>" in article.body_html

    page.goto(article.get_absolute_url())
    img = page.locator(".prose picture img")
    expect(img).to_have_attribute("alt", "Un schéma bleu")
    img.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.prose picture img'); return i.complete && i.naturalWidth > 0; }"
    )
    # The browser took a resized copy (AVIF or WebP), not the original.
    current = img.evaluate("i => i.currentSrc")
    assert current.endswith((".avif", ".webp")), current


def test_the_dialog_works_with_the_keyboard_and_says_a_refusal_in_french(page, django_user_model, tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"<?php echo 'non'; ?>")
    _login(page, django_user_model)
    page.locator("textarea[data-media-upload]").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Insérer une image")).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Insérer une image")
    expect(dialog.get_by_label("Image (JPEG, PNG, WebP, GIF ou AVIF)")).to_be_focused()
    dialog.get_by_label("Image (JPEG, PNG, WebP, GIF ou AVIF)").set_input_files(str(fake))
    dialog.get_by_label("Texte alternatif (obligatoire)").fill("Une photo")
    dialog.get_by_label("Texte alternatif (obligatoire)").press("Enter")
    expect(dialog.get_by_role("alert")).to_contain_text("n'est pas une image lisible")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert not Image.objects.exists()


def test_an_image_dropped_on_the_body_asks_for_its_alt_text_then_is_inserted(page, django_user_model):
    _login(page, django_user_model)
    body = page.locator("textarea[data-media-upload]")
    body.fill("Avant.")
    png = list(picture_bytes((500, 300), "PNG", color=(230, 57, 70)))
    # What a browser does when a file is dropped: dragover, then drop, with the file in a DataTransfer.
    body.evaluate(
        """(area, bytes) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], "depose.png", {type: "image/png"}));
            area.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
            area.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        png,
    )
    dialog = page.get_by_role("dialog", name="Insérer une image")
    expect(dialog).to_contain_text("depose.png")
    alt = dialog.get_by_label("Texte alternatif (obligatoire)")
    expect(alt).to_be_focused()
    alt.fill("Un rectangle rouge")
    alt.press("Enter")
    expect(dialog).to_be_hidden()
    image = Image.objects.get()
    assert body.input_value() == f"Avant.\n\n![Un rectangle rouge]({image.file.url})"
