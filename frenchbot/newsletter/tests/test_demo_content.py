"""`frenchbot demo` loads two public lists and three letters already sent, in the archive, once."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from frenchbot.newsletter import demo
from frenchbot.newsletter.models import Delivery, Issue, MailingList, Subscriber

pytestmark = pytest.mark.django_db


def test_the_demo_loads_two_lists_and_three_sent_letters_once(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_login=True)
    assert set(MailingList.objects.values_list("name", flat=True)) == {
        "Actualités de l'IA",
        "Formations et événements",
    }
    assert all(mailing_list.is_public for mailing_list in MailingList.objects.all())
    issues = list(Issue.objects.order_by("sent_at"))
    assert len(issues) == 3
    assert issues[0].subject == "ChatGPT au bureau\u00a0: 5 usages qui font gagner une heure par jour"
    for issue in issues:
        assert issue.status == Issue.Status.SENT and issue.in_archive
        assert issue.sent_at < timezone.now()
        assert issue.lists.exists()
        assert 250 <= len(issue.body_markdown.split()) <= 450
        assert "\u00a0:" in issue.body_markdown and " :" not in issue.body_markdown
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()

    call_command("demo", quiet_login=True)
    assert MailingList.objects.count() == 2 and Issue.objects.count() == 3


def test_remove_takes_out_the_demo_letters_and_the_lists_nobody_joined():
    demo.newsletter_demo_load()
    assert "3 lettres et 2 listes" in demo.demo_remove()
    assert not Issue.objects.exists() and not MailingList.objects.exists()
    assert demo.demo_remove() == ""
