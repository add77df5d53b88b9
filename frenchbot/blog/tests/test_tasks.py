"""Moderation notices go out through a real SMTP server on loopback."""

from email.header import decode_header, make_header

import pytest

from frenchbot.blog import services
from frenchbot.blog.tasks import notify_staff_of_held_comment

from .factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def test_held_comment_notice_is_delivered_over_smtp(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["moderation@example.fr"]
    article = ArticleFactory(title="Écrire un bon prompt")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.comment_create(
            article=article,
            name="Bruno",
            email="bruno@example.fr",
            body="Voir https://a.example https://b.example https://c.example",
            ip="203.0.113.9",
        )
    assert outcome.held
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "moderation@example.fr"
    assert "Écrire un bon prompt" in str(make_header(decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode()
    assert "Bruno <bruno@example.fr>" in body
    assert f"/admin/blog/comment/{outcome.comment.pk}/change/" in body
    assert "plus de 2 liens" in body


def test_no_notice_for_a_comment_moderated_before_the_task_ran(smtp_server):
    comment = CommentFactory(status="approved")
    assert notify_staff_of_held_comment.call(comment_id=comment.pk) == 0
    assert notify_staff_of_held_comment.call(comment_id=999999) == 0
    assert smtp_server == []
