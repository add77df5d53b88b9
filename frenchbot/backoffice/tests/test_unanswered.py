"""« Questions sans réponse »: what the bot could not answer, grouped by meaning; one step to an FAQ entry that
the bot answers from then on; « Ignorer » for the rest; staff only."""

import pytest
from django.urls import reverse

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.assistant.models import Conversation, FaqEntry, Feedback, Message
from frenchbot.assistant.selectors import unanswered_groups
from frenchbot.retrieval.selectors import search

pytestmark = pytest.mark.django_db

LIST = "/equipe/questions-sans-reponse/"
WRITE = "/equipe/questions-sans-reponse/rediger/"
DISMISS = "/equipe/questions-sans-reponse/ignorer/"
DURATION = "Combien de temps dure la formation ?"
DURATION_AGAIN = "la formation dure combien d'heures ?"
WEATHER = "Quelle est la météo demain à Paris ?"
NOT_FOUND = "Je n'ai pas trouvé la réponse dans nos contenus."


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("camille", password="x", is_staff=True)
    # The group the team gives this work (migration accounts 0001).
    user.groups.add(staff_group("Modération"))
    client.force_login(user)
    return client


def _asked(question: str, *, answer: str = NOT_FOUND, unanswered: bool = True, rating: int | None = None):
    """One exchange of a new conversation: the visitor's question and the bot's answer; returns the answer."""
    conversation = Conversation.objects.create(session_key="s")
    Message.objects.create(conversation=conversation, role=Message.Role.USER, content=question)
    reply = Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, content=answer, unanswered=unanswered
    )
    if rating is not None:
        Feedback.objects.create(message=reply, rating=rating)
    return reply


def test_paraphrases_are_grouped_and_an_unrelated_question_stays_apart(staff_client):
    _asked(DURATION)
    _asked(DURATION_AGAIN)
    _asked(WEATHER)
    groups = unanswered_groups()
    assert [group.count for group in groups] == [2, 1]
    assert set(groups[0].examples) == {DURATION, DURATION_AGAIN}
    assert groups[1].typical == WEATHER
    response = staff_client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "Posée 2 fois" in html and DURATION_AGAIN in html
    assert NOT_FOUND in html  # what the bot answered


def test_answers_rated_not_useful_are_listed_and_answered_or_reviewed_ones_are_not():
    _asked(
        "Vous êtes ouverts le samedi ?",
        answer="Nos formations durent six heures.",
        unanswered=False,
        rating=-1,
    )
    _asked(
        "Qui a fondé Mistral AI ?",
        answer="Arthur Mensch, Guillaume Lample et Timothée Lacroix.",
        unanswered=False,
    )
    _asked("Et le week-end ?", answer="Oui.", unanswered=False, rating=1)
    groups = unanswered_groups()
    assert [group.typical for group in groups] == ["Vous êtes ouverts le samedi ?"]
    assert groups[0].latest.rated_down


def test_writing_the_faq_entry_from_a_group_publishes_it_indexes_it_and_empties_the_group(staff_client):
    first, second = _asked(DURATION), _asked(DURATION_AGAIN)
    _asked(WEATHER)
    group = unanswered_groups()[0]
    form = staff_client.get(WRITE, {"groupe": group.message_ids})
    assert form.status_code == 200
    # The form is prefilled with the group's most typical wording.
    assert f'value="{group.typical}"'.replace("'", "&#x27;") in form.content.decode()
    response = staff_client.post(
        WRITE,
        {
            "question": DURATION,
            "answer": "ChatGPT au quotidien dure six heures, L'IA dans votre PME dix heures et demie.",
            "category": "Nos formations",
            "group": group.message_ids,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == LIST
    entry = FaqEntry.objects.get()
    assert entry.is_published and entry.category == "Nos formations"
    assert set(entry.answered_messages.all()) == {first, second}
    assert [g.typical for g in unanswered_groups()] == [WEATHER]
    assert "le bot y répond dès maintenant" in response.content.decode()
    # The bot answers it from now on, with no worker run.
    hits = search(query="La formation prend combien de temps ?")
    assert hits and hits[0].url == f"/faq/#{entry.slug}"
    assert DURATION in staff_client.get("/faq/").content.decode()


def test_a_form_error_keeps_what_was_typed_and_writes_nothing(staff_client):
    reply = _asked(DURATION)
    response = staff_client.post(
        WRITE, {"question": DURATION, "answer": "   ", "category": "Mon brouillon", "group": str(reply.pk)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Écrivez la réponse" in html and 'value="Mon brouillon"' in html
    assert not FaqEntry.objects.exists() and unanswered_groups()[0].count == 1


def test_bad_group_values_are_no_error(staff_client):
    assert staff_client.get(WRITE, {"groupe": "abc,-1,99999999999999,"}).status_code == 200
    assert staff_client.post(DISMISS, {"group": "nimporte<quoi>"}).status_code == 302
    response = staff_client.post(
        WRITE, {"question": "Une question ?", "answer": "Une réponse.", "group": "x" * 5000}
    )
    assert response.status_code == 302 and FaqEntry.objects.count() == 1


def test_ignoring_a_group_takes_it_out_of_the_list(staff_client):
    spam = _asked("achetez des cryptos pas chères")
    _asked(WEATHER)
    response = staff_client.post(DISMISS, {"group": str(spam.pk)}, follow=True)
    assert "1 question ignorée" in response.content.decode()
    assert [g.typical for g in unanswered_groups()] == [WEATHER]
    assert not FaqEntry.objects.exists()


def test_only_staff_see_or_change_the_list(client, django_user_model):
    reply = _asked(DURATION)
    for method, url in (("get", LIST), ("get", WRITE), ("post", WRITE), ("post", DISMISS)):
        response = getattr(client, method)(url, {"group": str(reply.pk)} if method == "post" else {})
        assert response.status_code == 302 and "/login/" in response["Location"]
    member = django_user_model.objects.create_user("visiteur", password="x")
    client.force_login(member)
    for method, url in (("get", LIST), ("post", DISMISS)):
        response = getattr(client, method)(url, {"group": str(reply.pk)} if method == "post" else {})
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert Message.objects.get(pk=reply.pk).reviewed_at is None
    assert unanswered_groups()[0].count == 1


def test_the_list_is_linked_from_the_back_office(staff_client):
    assert (
        f'href="{reverse("backoffice:unanswered")}"'
        in staff_client.get("/equipe/", follow=True).content.decode()
    )
