"""The prompt library: variables, the fill-in form without JavaScript, filters and favourites."""

import pytest
from django.test import Client
from django.urls import reverse

from frenchbot.blog.tests.factories import UserFactory
from frenchbot.resources.models import PromptFavourite
from frenchbot.resources.selectors.prompts import prompt_text, prompt_variables

from .factories import AiToolFactory, PromptFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


def test_variables_are_distinct_and_in_order():
    body = "Secteur [secteur], ton [ton], encore [secteur] et [ ton de la réponse ]. [[ignoré]]"
    assert prompt_variables(body=body) == ["secteur", "ton", "ton de la réponse", "ignoré"]


def test_text_without_variables_is_one_segment():
    text = prompt_text(body="Résume ce texte.")
    assert text.variables == []
    assert text.text == "Résume ce texte."


def test_filled_values_replace_every_occurrence_and_are_cut():
    text = prompt_text(body="[secteur] puis [ton] puis [secteur]", values={"v0": " BTP ", "v1": "x" * 500})
    assert text.text == f"BTP puis {'x' * 200} puis BTP"
    assert [v.name for v in text.variables] == ["secteur", "ton"]


def test_prompt_page_highlights_variables():
    prompt = PromptFactory(body="Tu travailles dans [secteur] avec un ton [ton].")
    response = Client().get(prompt.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<mark class="prompt-var" data-var="0" data-placeholder="[secteur]">[secteur]</mark>' in html
    assert '<mark class="prompt-var" data-var="1" data-placeholder="[ton]">[ton]</mark>' in html
    assert '<label for="var-0">Secteur</label>' in html
    assert "Copier le prompt" in html
    assert prompt.goal in html


def test_markup_in_a_prompt_shows_as_text():
    prompt = PromptFactory(
        body="<script>alert(1)</script> [<img src=x onerror=alert(1)>]",
        example_output="<b>gras</b>",
    )
    html = Client().get(prompt.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "<b>gras</b>" not in html


def test_fill_in_form_works_without_javascript():
    prompt = PromptFactory(body="Secteur : [secteur]. Ton : [ton]. Rappel : [secteur].")
    response = Client().get(prompt.get_absolute_url(), {"v0": "boulangerie <b>", "v1": "chaleureux"})
    html = response.content.decode()
    assert 'value="boulangerie &lt;b&gt;"' in html
    assert html.count(">boulangerie &lt;b&gt;</mark>") == 2
    assert (
        '<mark class="prompt-var prompt-var--filled" data-var="1" data-placeholder="[ton]">chaleureux</mark>'
        in html
    )
    assert "Effacer les valeurs" in html


def test_odd_values_in_the_fill_in_form_are_harmless():
    prompt = PromptFactory(body="[secteur]")
    response = Client().get(prompt.get_absolute_url(), {"v0": "a\x00b" + "é" * 3000, "v9": "x", "autre": "y"})
    assert response.status_code == 200
    assert response.context["text"].text == "ab" + "é" * 198


def test_unpublished_or_unknown_prompt_is_404():
    prompt = PromptFactory(is_published=False)
    assert Client().get(prompt.get_absolute_url()).status_code == 404
    assert Client().get(reverse("resources:prompt", kwargs={"slug": "inconnu"})).status_code == 404


@pytest.fixture
def library():
    emails = UseCaseFactory(name="E-mails", slug="e-mails", order=1)
    rh = UseCaseFactory(name="RH", slug="rh", order=2)
    chatgpt = AiToolFactory(name="ChatGPT", slug="chatgpt")
    claude = AiToolFactory(name="Claude", slug="claude")
    return {
        "relance": PromptFactory(title="Relance client", use_case=emails, tools=[chatgpt, claude]),
        "reponse": PromptFactory(title="Réponse à une réclamation", use_case=emails, tools=[claude]),
        "fiche": PromptFactory(title="Fiche de poste", use_case=rh, tools=[chatgpt]),
        "brouillon": PromptFactory(title="Brouillon caché", use_case=rh, tools=[chatgpt], is_published=False),
    }


def _titles(response) -> set[str]:
    return {p.title for group in response.context["library"].groups for p in group.prompts}


def test_list_groups_published_prompts_by_use_case(library):
    response = Client().get(reverse("resources:prompts"))
    assert response.status_code == 200
    assert [g.use_case.name for g in response.context["library"].groups] == ["E-mails", "RH"]
    assert _titles(response) == {"Relance client", "Réponse à une réclamation", "Fiche de poste"}
    html = response.content.decode()
    assert 'E-mails <span class="chips__count">(2)</span>' in html
    assert 'ChatGPT <span class="chips__count">(2)</span>' in html


def test_filter_by_use_case(library):
    response = Client().get(reverse("resources:prompts"), {"usage": "rh"})
    assert _titles(response) == {"Fiche de poste"}
    # The tool chips count within the chosen use case and keep it in their links.
    assert 'href="/ressources/prompts/?usage=rh&amp;outil=chatgpt"' in response.content.decode()


def test_filter_by_tool(library):
    response = Client().get(reverse("resources:prompts"), {"outil": "claude"})
    assert _titles(response) == {"Relance client", "Réponse à une réclamation"}


def test_filters_combine(library):
    response = Client().get(reverse("resources:prompts"), {"usage": "e-mails", "outil": "chatgpt"})
    assert _titles(response) == {"Relance client"}


def test_filters_with_nothing_to_show(library):
    for params in (
        {"usage": "rh", "outil": "claude"},
        {"usage": "inconnu"},
        {"outil": "x" * 3000},
        {"usage": "rh\x00", "outil": "<script>"},
    ):
        response = Client().get(reverse("resources:prompts"), params)
        assert response.status_code == 200
        assert "Aucun prompt ne correspond à ces filtres." in response.content.decode()


def test_prompt_page_lists_related_prompts_of_its_use_case(library):
    response = Client().get(library["relance"].get_absolute_url())
    assert [p.title for p in response.context["related"]] == ["Réponse à une réclamation"]


# --- Favourites -------------------------------------------------------------------------------------------


def _favourite_url(prompt) -> str:
    return reverse("resources:prompt_favourite", kwargs={"slug": prompt.slug})


def test_anonymous_visitor_is_invited_to_sign_in(library):
    prompt = library["relance"]
    html = Client().get(prompt.get_absolute_url()).content.decode()
    assert "Connectez-vous pour garder vos favoris" in html
    assert f"?next={prompt.get_absolute_url()}" in html
    response = Client().post(_favourite_url(prompt))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not PromptFavourite.objects.exists()
    favourites = Client().get(reverse("resources:prompt_favourites"))
    assert favourites.status_code == 302 and reverse("account_login") in favourites["Location"]


def test_favourite_toggles_and_only_mine_are_listed(library):
    me, other = UserFactory(username="moi"), UserFactory(username="autre")
    PromptFavourite.objects.create(user=other, prompt=library["fiche"])
    client = Client()
    client.force_login(me)

    response = client.post(_favourite_url(library["relance"]), {"next": "https://ailleurs.example/"})
    assert response.status_code == 302
    assert response["Location"] == library["relance"].get_absolute_url()
    page = client.get(library["relance"].get_absolute_url()).content.decode()
    assert "Retirer de mes favoris" in page
    assert "Ajouté à vos favoris." in page

    listed = client.get(reverse("resources:prompt_favourites"))
    assert [p.title for p in listed.context["prompts"]] == ["Relance client"]
    assert "Fiche de poste" not in listed.content.decode()

    client.post(_favourite_url(library["relance"]))
    assert not PromptFavourite.objects.filter(user=me).exists()
    assert (
        "Vous n'avez pas encore de favori"
        in client.get(reverse("resources:prompt_favourites")).content.decode()
    )


def test_favourite_with_htmx_returns_the_button(library):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.post(_favourite_url(library["fiche"]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="prompt-fav"' in html and "Retirer de mes favoris" in html
    assert "<html" not in html


def test_favourite_needs_the_csrf_token(library):
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(_favourite_url(library["fiche"]))
    assert response.status_code == 403
    assert not PromptFavourite.objects.exists()


def test_favourites_are_rate_limited(library, settings):
    settings.RESOURCES_FAVOURITE_RATE_LIMIT = 2
    user = UserFactory()
    client = Client()
    client.force_login(user)
    url = _favourite_url(library["fiche"])
    client.post(url)
    client.post(url)
    response = client.post(url, headers={"HX-Request": "true"})
    assert "beaucoup de favoris" in response.content.decode()
    assert "Ajouter à mes favoris" in response.content.decode()
    response = client.post(url, follow=True)
    assert "beaucoup de favoris" in response.content.decode()
    assert not PromptFavourite.objects.exists()


def test_signed_in_state_never_reaches_the_shared_page_cache(library, settings):
    settings.PAGE_CACHE_SECONDS = 300
    prompt = library["relance"]
    user = UserFactory()
    PromptFavourite.objects.create(user=user, prompt=prompt)
    signed_in = Client()
    signed_in.force_login(user)
    assert "Retirer de mes favoris" in signed_in.get(prompt.get_absolute_url()).content.decode()
    anonymous = Client().get(prompt.get_absolute_url()).content.decode()
    assert "Retirer de mes favoris" not in anonymous
    assert "Connectez-vous pour garder vos favoris" in anonymous
    # And the anonymous copy, now cached, is not what the signed-in visitor gets.
    assert "Retirer de mes favoris" in signed_in.get(prompt.get_absolute_url()).content.decode()


def test_a_changed_prompt_is_not_served_from_the_cache(library, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_SECONDS = 300
    prompt = library["relance"]
    assert "Relance client" in Client().get(reverse("resources:prompts")).content.decode()
    prompt.title = "Relance après devis"
    with django_capture_on_commit_callbacks(execute=True):
        prompt.save()
    assert "Relance après devis" in Client().get(reverse("resources:prompts")).content.decode()


def test_use_cases_with_the_same_order_are_not_split():
    first, second = UseCaseFactory(name="A usage", slug="a"), UseCaseFactory(name="B usage", slug="b")
    PromptFactory(title="Z", use_case=first)
    PromptFactory(title="M", use_case=second)
    PromptFactory(title="A", use_case=first)
    response = Client().get(reverse("resources:prompts"))
    assert [(g.use_case.name, [p.title for p in g.prompts]) for g in response.context["library"].groups] == [
        ("A usage", ["A", "Z"]),
        ("B usage", ["M"]),
    ]
