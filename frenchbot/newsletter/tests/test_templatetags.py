"""The compact form everywhere: at the end of articles, on the home page, on the learner's profile."""

import html

import pytest
from django.urls import reverse

from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.core.formguard import FORM_TS_PLACEHOLDER, form_timestamp
from frenchbot.courses.tests.factories import LearnerFactory
from frenchbot.newsletter.models import Subscriber

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_article_footer_shows_the_form_posting_to_the_letter(client, lists):
    article = ArticleFactory()
    page = _page(client.get(article.get_absolute_url()))
    assert "📩 Rejoignez notre communauté" in page
    assert f'action="{reverse("newsletter:signup")}"' in page
    assert 'name="origin" value="article"' in page
    assert f'name="next" value="{article.get_absolute_url()}"' in page
    assert "Vous recevrez un e-mail pour confirmer" in page
    assert "Actualités de l'IA" in page
    assert "J'accepte de recevoir la lettre" in page


def test_home_page_shows_the_form(client, lists):
    page = _page(client.get("/"))
    assert 'name="origin" value="home"' in page
    assert "Recevez la lettre de The French Bot" in page


def test_the_shared_copy_of_a_cached_page_gets_a_fresh_time_stamp_per_visitor(client, lists, settings):
    settings.PAGE_CACHE_SECONDS = 60
    first = _page(client.get("/"))
    second = _page(client.get("/"))
    assert FORM_TS_PLACEHOLDER not in first
    assert FORM_TS_PLACEHOLDER not in second
    # The page posts fine from the shared copy: the time stamp in it is a real one.
    token = second.split('name="ts" value="')[1].split('"')[0]
    from frenchbot.core.formguard import form_timestamp_problem

    assert form_timestamp_problem(value=token, min_seconds=0) is None
    assert form_timestamp()  # sanity: the same salt signs and reads


def test_no_form_without_a_public_list(client, db):
    page = _page(client.get("/"))
    assert 'name="origin" value="home"' not in page


def test_profile_offers_the_account_address_and_confirms_it_at_once(client, lists, committed, smtp_server):
    user = LearnerFactory()
    client.force_login(user)
    page = _page(client.get(reverse("accounts:profile")))
    assert "La lettre d'information" in page
    assert f'value="{user.email}"' in page
    response = committed(
        client.post,
        reverse("newsletter:signup"),
        {
            "email": user.email,
            "lists": ["tutoriels"],
            "consent": "on",
            "origin": "profile",
            "ts": form_timestamp(),
        },
    )
    assert "vous êtes inscrit" in _page(response)
    subscriber = Subscriber.objects.get(email=user.email)
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert not smtp_server  # the account's address was already verified by allauth
    page = _page(client.get(reverse("accounts:profile")))
    assert "Vous êtes inscrit avec votre adresse de compte" in page
    assert "/lettre/preferences/" in page


def test_profile_another_address_still_needs_the_double_opt_in(client, lists, committed, smtp_server):
    user = LearnerFactory()
    client.force_login(user)
    committed(
        client.post,
        reverse("newsletter:signup"),
        {
            "email": "autre@exemple.fr",
            "lists": ["tutoriels"],
            "consent": "on",
            "origin": "profile",
            "ts": form_timestamp(),
        },
    )
    assert Subscriber.objects.get(email="autre@exemple.fr").status == Subscriber.Status.PENDING
    assert len(smtp_server) == 1


def test_profile_shows_a_pending_subscription(client, lists):
    user = LearnerFactory()
    SubscriberFactory(email=user.email, status=Subscriber.Status.PENDING)
    client.force_login(user)
    page = _page(client.get(reverse("accounts:profile")))
    assert "attend votre confirmation" in page


def test_two_forms_on_one_page_keep_their_ids_unique(rf, lists):
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines

    request = rf.get("/")
    request.user = AnonymousUser()
    page = (
        engines["django"]
        .from_string('{% load newsletter %}{% newsletter_signup origin="home" %}{% newsletter_signup %}')
        .render({}, request)
    )
    assert page.count('id="newsletter-email"') == 1
    assert page.count('id="newsletter2-email"') == 1
