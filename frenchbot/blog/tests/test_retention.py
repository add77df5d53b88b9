"""A poll vote's address fingerprint only serves the 24-hour window against repeated votes (privacy policy)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from frenchbot.blog.models import PollVote
from frenchbot.blog.tasks import poll_fingerprints_prune

from .factories import PollFactory

pytestmark = pytest.mark.django_db


def test_old_votes_lose_their_fingerprint_and_stay_counted(settings):
    settings.RETENTION_POLL_FINGERPRINTS_DAYS = 2
    poll = PollFactory()
    option = poll.options.first()
    old = PollVote.objects.create(poll=poll, option=option, voter_id="ancien", ip_fingerprint="a" * 32)
    PollVote.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    recent = PollVote.objects.create(poll=poll, option=option, voter_id="recent", ip_fingerprint="b" * 32)

    assert poll_fingerprints_prune.call() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip_fingerprint == ""
    assert recent.ip_fingerprint == "b" * 32
    assert poll.votes.count() == 2
