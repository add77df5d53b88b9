"""The unanswered-questions loop in a real browser: staff open « Questions sans réponse », write the FAQ entry
for a group in one form, and the question is on /faq/ at its anchor."""

import pytest
from playwright.sync_api import expect

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.assistant.models import Conversation, Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _asked(question: str) -> None:
    conversation = Conversation.objects.create(session_key="s")
    Message.objects.create(conversation=conversation, role=Message.Role.USER, content=question)
    Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        content="Je n'ai pas trouvé la réponse dans nos contenus.",
        unanswered=True,
    )


def test_staff_answer_a_group_in_the_faq_from_the_back_office(page, django_user_model):
    moderator = django_user_model.objects.create_user(
        "camille", password="motdepasse-solide-42", is_staff=True
    )
    moderator.groups.add(staff_group("Modération"))
    _asked("Combien de temps dure la formation ?")
    _asked("la formation dure combien d'heures ?")
    page.goto("/admin/login/?next=/equipe/questions-sans-reponse/")
    page.get_by_label("Nom d’utilisateur").fill("camille")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questions sans réponse")
    expect(page.get_by_text("Posée 2 fois")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Rédiger une entrée de FAQ").click()
    expect(page.get_by_role("textbox", name="Question", exact=True)).to_have_value(
        "Combien de temps dure la formation ?"
    )
    # Sent without an answer: the error is next to the field and what was typed stays.
    page.get_by_label("Catégorie (facultatif)").fill("Nos formations")
    with page.expect_navigation():
        page.get_by_role("button", name="Publier dans la FAQ").click()
    expect(page.get_by_text("Écrivez la réponse\u00a0: c'est elle que le bot donnera.")).to_be_visible()
    expect(page.get_by_label("Catégorie (facultatif)")).to_have_value("Nos formations")
    page.get_by_role("textbox", name="Réponse", exact=True).fill("ChatGPT au quotidien dure **six heures**.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publier dans la FAQ").click()
    expect(page.get_by_text("le bot y répond dès maintenant")).to_be_visible()
    expect(page.get_by_text("Aucune question sans réponse")).to_be_visible()

    page.goto("/faq/")
    expect(page.get_by_role("heading", name="Nos formations")).to_be_visible()
    expect(page.locator("article.faq__entry strong")).to_have_text("six heures")


def test_the_faq_and_the_unanswered_screens_pass_axe(axe_page, django_user_model):
    from frenchbot.assistant.faq import faq_entry_create

    faq_entry_create(question="Combien coûtent vos formations ?", answer="**190 €** TTC.", category="Prix")
    faq_entry_create(question="Qui êtes-vous ?", answer="Une équipe de formateurs.", category="")
    moderator = django_user_model.objects.create_user(
        "camille", password="motdepasse-solide-42", is_staff=True
    )
    moderator.groups.add(staff_group("Modération"))
    _asked("Combien de temps dure la formation ?")
    page = axe_page
    problems = {}
    page.goto("/faq/")
    problems["faq"] = page.violations()
    page.goto("/admin/login/?next=/equipe/questions-sans-reponse/")
    page.get_by_label("Nom d’utilisateur").fill("camille")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()
    page.get_by_text("Ce que le bot a répondu").click()
    problems["list"] = page.violations()
    with page.expect_navigation():
        page.get_by_role("link", name="Rédiger une entrée de FAQ").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publier dans la FAQ").click()
    problems["form with an error"] = page.violations()
    assert {name: found for name, found in problems.items() if found} == {}
