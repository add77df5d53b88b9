import pytest
from django.core import mail
from django.utils import timezone

from frenchbot.blog import services
from frenchbot.blog.models import Article, Comment, PollVote
from frenchbot.blog.selectors import poll_results

from .factories import ArticleFactory, CommentFactory, PollFactory, UserFactory

pytestmark = pytest.mark.django_db


def _comment(article, **overrides):
    data = {
        "article": article,
        "name": "Jeanne",
        "email": "jeanne@example.fr",
        "body": "Très utile, merci.",
        "ip": "203.0.113.7",
    }
    data.update(overrides)
    return services.comment_create(**data)


def test_first_comment_of_an_address_is_held_and_staff_are_told(settings, django_capture_on_commit_callbacks):
    settings.STAFF_NOTIFICATION_EMAILS = ["moderation@example.fr"]
    with django_capture_on_commit_callbacks(execute=True):
        outcome = _comment(ArticleFactory())
    assert outcome.held
    assert outcome.comment.status == Comment.Status.PENDING
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["moderation@example.fr"]
    assert "Très utile, merci." in mail.outbox[0].body


def test_address_with_an_approved_comment_is_published_at_once(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    CommentFactory(article=article, email="jeanne@example.fr", status=Comment.Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = _comment(article, email="Jeanne@Example.fr")
    assert not outcome.held
    assert outcome.comment.status == Comment.Status.APPROVED
    assert mail.outbox == []


def test_more_than_two_links_is_always_held_even_for_a_known_address():
    article = ArticleFactory()
    CommentFactory(article=article, email="jeanne@example.fr", status=Comment.Status.APPROVED)
    body = "Voir https://a.example et https://b.example et www.c.example"
    outcome = _comment(article, body=body)
    assert outcome.held
    assert "liens" in outcome.comment.held_reason


def test_two_links_from_a_known_address_still_pass():
    article = ArticleFactory()
    CommentFactory(article=article, email="jeanne@example.fr", status=Comment.Status.APPROVED)
    outcome = _comment(article, body="Voir https://a.example et https://b.example")
    assert not outcome.held


def test_a_reply_to_a_reply_joins_the_thread():
    article = ArticleFactory()
    top = CommentFactory(article=article)
    reply = CommentFactory(article=article, parent=top)
    outcome = _comment(article, parent_id=reply.pk)
    assert outcome.comment.parent_id == top.pk


def test_reply_to_a_comment_that_is_not_visible_is_refused():
    article = ArticleFactory()
    held = CommentFactory(article=article, status=Comment.Status.PENDING)
    with pytest.raises(services.BlogError) as error:
        _comment(article, parent_id=held.pk)
    assert error.value.field == "body"
    assert Comment.objects.count() == 1


def test_comments_close_after_the_configured_days(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    article = ArticleFactory(published_at=timezone.now() - timezone.timedelta(days=31))
    with pytest.raises(services.BlogError) as error:
        _comment(article)
    assert error.value.code == "closed"
    assert not Comment.objects.exists()


def test_comments_on_a_draft_are_refused():
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    with pytest.raises(services.BlogError):
        _comment(article)


def test_rate_limit_per_ip(settings):
    settings.COMMENT_RATE_LIMIT = 2
    article = ArticleFactory()
    _comment(article)
    _comment(article, email="autre@example.fr")
    with pytest.raises(services.BlogError) as error:
        _comment(article, email="troisieme@example.fr")
    assert error.value.code == "rate_limited"
    # Another address is not affected.
    _comment(article, email="voisin@example.fr", ip="198.51.100.1")
    assert Comment.objects.count() == 3


def test_bulk_moderation_changes_only_what_differs():
    comments = CommentFactory.create_batch(3, status=Comment.Status.PENDING)
    CommentFactory(status=Comment.Status.APPROVED)
    changed = services.comment_moderate(comments=Comment.objects.all(), status=Comment.Status.APPROVED)
    assert changed == 3
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}
    assert all(c.pk for c in comments)


def test_unknown_moderation_status_is_refused():
    with pytest.raises(services.BlogError):
        services.comment_moderate(comments=Comment.objects.all(), status="deleted")


def test_publishing_a_draft_dates_it():
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    changed = services.article_set_status(articles=Article.objects.all(), status=Article.Status.PUBLISHED)
    article.refresh_from_db()
    assert changed == 1
    assert article.is_public


def test_vote_once_per_browser():
    poll = PollFactory()
    option = poll.options.first()
    services.poll_vote(poll=poll, option_id=option.pk, voter_id="navigateur-1", ip="203.0.113.1")
    with pytest.raises(services.BlogError) as error:
        services.poll_vote(poll=poll, option_id=option.pk, voter_id="navigateur-1", ip="203.0.113.2")
    assert error.value.code == "already_voted"
    assert PollVote.objects.count() == 1


def test_vote_once_per_ip_within_the_window(settings):
    settings.POLL_IP_WINDOW_SECONDS = 3600
    poll = PollFactory()
    option = poll.options.first()
    services.poll_vote(poll=poll, option_id=option.pk, voter_id="a", ip="203.0.113.1")
    with pytest.raises(services.BlogError):
        services.poll_vote(poll=poll, option_id=option.pk, voter_id="b", ip="203.0.113.1")
    # After the window the same address may vote again.
    PollVote.objects.update(created_at=timezone.now() - timezone.timedelta(hours=2))
    services.poll_vote(poll=poll, option_id=option.pk, voter_id="b", ip="203.0.113.1")
    assert PollVote.objects.count() == 2


@pytest.mark.parametrize("option_id", [None, "", "abc", "999999"])
def test_vote_for_an_option_that_is_not_offered(option_id):
    poll = PollFactory()
    with pytest.raises(services.BlogError) as error:
        services.poll_vote(poll=poll, option_id=option_id, voter_id="x", ip="203.0.113.1")
    assert error.value.code == "option"


def test_vote_for_another_polls_option_is_refused():
    poll, other = PollFactory(), PollFactory()
    with pytest.raises(services.BlogError):
        services.poll_vote(poll=poll, option_id=other.options.first().pk, voter_id="x", ip="203.0.113.1")


def test_closed_poll_takes_no_vote():
    poll = PollFactory(is_open=False)
    with pytest.raises(services.BlogError):
        services.poll_vote(poll=poll, option_id=poll.options.first().pk, voter_id="x", ip="203.0.113.1")


def test_percentages_add_up_to_100():
    poll = PollFactory()
    options = list(poll.options.all())
    for index, option in enumerate([options[0], options[1], options[2]]):
        services.poll_vote(poll=poll, option_id=option.pk, voter_id=f"v{index}", ip=f"203.0.113.{index}")
    results = poll_results(poll=poll)
    assert results.total == 3
    assert sum(option.percent for option in results.options) == 100
    assert sorted(option.percent for option in results.options) == [33, 33, 34]


def test_staff_without_address_configured_get_the_notice(settings, django_capture_on_commit_callbacks):
    settings.STAFF_NOTIFICATION_EMAILS = []
    UserFactory(username="moderatrice", email="moderatrice@example.fr", is_staff=True)
    UserFactory(username="lecteur", email="lecteur@example.fr", is_staff=False)
    with django_capture_on_commit_callbacks(execute=True):
        _comment(ArticleFactory())
    assert mail.outbox[0].to == ["moderatrice@example.fr"]


def test_staff_comment_is_published_as_the_teams():
    article = ArticleFactory()
    body = "Bonne question : voir https://a.example https://b.example https://c.example"
    outcome = _comment(article, name="L'équipe", email="equipe@example.fr", body=body, by_staff=True)
    assert not outcome.held
    assert outcome.comment.status == Comment.Status.APPROVED
    assert outcome.comment.is_staff_reply
