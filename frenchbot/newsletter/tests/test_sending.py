"""Sending a letter through a real SMTP server: who receives it, bounces, temporary failures, unsubscribing
during a send, scheduled and test sends, and a real worker killed halfway through 2,000 recipients."""

import datetime
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from frenchbot.newsletter.errors import NewsletterError
from frenchbot.newsletter.models import Delivery, Issue, Subscriber, SubscriptionChange
from frenchbot.newsletter.services.sending import (
    issue_schedule,
    issue_send_start,
    issue_send_test,
    issue_sends_tick,
)
from frenchbot.newsletter.services.subscriptions import subscriber_links

from . import sending_helpers
from .sending_helpers import (
    Recorder,
    header,
    make_issue,
    make_list,
    make_subscribers,
    messages_per_address,
)

pytestmark = pytest.mark.django_db
smtp_recorder = sending_helpers.smtp_recorder  # the fixture

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _fast_sends(settings):
    settings.NEWSLETTER_SEND_RATE = 0
    settings.NEWSLETTER_SEND_BATCH_SIZE = 50
    settings.NEWSLETTER_FROM_EMAIL = "La lettre <lettre@thefrenchbot.fr>"


def _start(issue, capture, **kwargs):
    with capture(execute=True):
        return issue_send_start(issue=issue, **kwargs)


def test_only_confirmed_subscribers_of_the_lists_receive_it_once(
    smtp_server, django_capture_on_commit_callbacks
):
    news, tutorials, other = (
        make_list("actualites"),
        make_list("tutoriels", "Tutoriels"),
        make_list("autre", "Autre"),
    )
    make_subscribers(3, lists=[news], prefix="confirme")
    make_subscribers(2, lists=[news, tutorials], prefix="deuxlistes")
    make_subscribers(1, lists=[news], status=Subscriber.Status.PENDING, prefix="attente")
    make_subscribers(1, lists=[news], status=Subscriber.Status.UNSUBSCRIBED, prefix="parti")
    make_subscribers(1, lists=[news], status=Subscriber.Status.BOUNCING, prefix="echec")
    make_subscribers(2, lists=[other], prefix="ailleurs")
    issue = make_issue(lists=[news, tutorials])

    assert _start(issue, django_capture_on_commit_callbacks) == 5

    counts = messages_per_address(smtp_server)
    assert sorted(counts) == sorted(
        [f"confirme{n}@exemple.fr" for n in range(3)] + [f"deuxlistes{n}@exemple.fr" for n in range(2)]
    )
    assert set(counts.values()) == {1}
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert issue.sent_at is not None
    assert set(issue.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_the_message_carries_its_personal_unsubscribe_headers_and_both_parts(
    smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://thefrenchbot.fr"
    news = make_list()
    (subscriber,) = make_subscribers(1, lists=[news])
    issue = make_issue(lists=[news])
    _start(issue, django_capture_on_commit_callbacks)

    (message,) = smtp_server
    links = subscriber_links(subscriber=subscriber, issue=issue)
    assert header(message, "List-Unsubscribe") == f"<{links['unsubscribe']}>"
    assert links["unsubscribe"].startswith("https://thefrenchbot.fr/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "thefrenchbot.fr" in header(message, "List-Id")
    assert header(message, "From") == "La lettre <lettre@thefrenchbot.fr>"
    assert header(message, "Subject") == issue.subject
    assert message.get_content_type() == "multipart/alternative"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }
    html, text = parts["text/html"], parts["text/plain"]
    # No image at all: no tracking pixel, and the Markdown's picture is a link named by its alt text.
    assert "<img" not in html.lower()
    assert '<a href="https://exemple.fr/graphique.png"' in html
    assert "Graphique des gains de temps" in html
    assert links["unsubscribe"] in html and links["preferences"] in html
    assert links["unsubscribe"] in text and links["preferences"] in text
    assert "trois outils testés (https://exemple.fr/outils)" in text
    assert django_settings.NEWSLETTER_POSTAL_ADDRESS in text
    assert "Actualités de l'IA" in text  # why they receive it


def test_starting_twice_sends_once(smtp_server, django_capture_on_commit_callbacks):
    news = make_list()
    make_subscribers(4, lists=[news])
    issue = make_issue(lists=[news])
    with django_capture_on_commit_callbacks(execute=False):
        issue_send_start(issue=issue)
    assert _start(issue, django_capture_on_commit_callbacks) == 4
    assert Delivery.objects.filter(issue=issue).count() == 4
    assert set(messages_per_address(smtp_server).values()) == {1}
    with pytest.raises(NewsletterError):
        issue_send_start(issue=issue)


def test_a_letter_without_lists_is_refused(django_capture_on_commit_callbacks):
    issue = make_issue(lists=[])
    with pytest.raises(NewsletterError) as error:
        issue_send_start(issue=issue)
    assert error.value.field == "lists"
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_permanent_refusals_mark_the_address_bouncing_and_it_is_never_mailed_again(
    smtp_recorder, django_capture_on_commit_callbacks
):
    news = make_list()
    make_subscribers(6, lists=[news])
    recorder = smtp_recorder(
        Recorder(
            refuse={
                "lecteur1@exemple.fr": "550 5.1.1 <lecteur1@exemple.fr>: Recipient address rejected",
                "lecteur4@exemple.fr": "550 5.1.1 No such user",
            }
        )
    )
    issue = make_issue(lists=[news])
    _start(issue, django_capture_on_commit_callbacks)

    assert len(recorder.messages) == 4
    bounced = Subscriber.objects.get(email="lecteur1@exemple.fr")
    assert bounced.status == Subscriber.Status.BOUNCING
    assert bounced.bounced_at is not None
    assert "550" in bounced.bounce_reason and "rejected" in bounced.bounce_reason
    assert issue.deliveries.get(subscriber=bounced).status == Delivery.Status.BOUNCED
    change = SubscriptionChange.objects.get(subscriber=bounced)
    assert (change.kind, change.issue, change.mailing_list) == (SubscriptionChange.Kind.BOUNCED, issue, news)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT

    # The next letter: the two dead addresses get no row and no message, even if their server now accepts.
    recorder.refuse.clear()
    recorder.messages.clear()
    second = make_issue(lists=[news], slug="lettre-de-janvier", subject="Janvier")
    assert _start(second, django_capture_on_commit_callbacks) == 4
    assert "lecteur1@exemple.fr" not in messages_per_address(recorder.messages)
    assert "lecteur4@exemple.fr" not in messages_per_address(recorder.messages)


def test_temporary_refusals_are_retried_later(smtp_recorder, django_capture_on_commit_callbacks, settings):
    news = make_list()
    make_subscribers(3, lists=[news])
    recorder = smtp_recorder(
        Recorder(refuse={"lecteur2@exemple.fr": "451 4.7.1 Greylisted, try again later"})
    )
    issue = make_issue(lists=[news])
    _start(issue, django_capture_on_commit_callbacks)

    failed = issue.deliveries.get(subscriber__email="lecteur2@exemple.fr")
    assert (failed.status, failed.attempts) == (Delivery.Status.FAILED, 1)
    assert "451" in failed.error
    assert Subscriber.objects.get(email="lecteur2@exemple.fr").status == Subscriber.Status.CONFIRMED
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING  # not finished while a retry is due

    # Too early: nothing moves.
    assert issue_sends_tick(now=timezone.now())["retried"] == 0
    recorder.refuse.clear()
    later = timezone.now() + datetime.timedelta(minutes=settings.NEWSLETTER_SEND_RETRY_MINUTES + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_sends_tick(now=later)["retried"] == 1
    assert messages_per_address(recorder.messages)["lecteur2@exemple.fr"] == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Delivery.Status.SENT, 2)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_temporary_refusals_give_up_after_the_last_attempt(
    smtp_recorder, django_capture_on_commit_callbacks, settings
):
    settings.NEWSLETTER_SEND_MAX_ATTEMPTS = 2
    news = make_list()
    make_subscribers(2, lists=[news])
    smtp_recorder(Recorder(refuse={"lecteur0@exemple.fr": "452 4.2.2 Mailbox full"}))
    issue = make_issue(lists=[news])
    _start(issue, django_capture_on_commit_callbacks)
    later = timezone.now() + datetime.timedelta(minutes=settings.NEWSLETTER_SEND_RETRY_MINUTES + 1)
    issue_sends_tick(now=later)
    delivery = issue.deliveries.get(subscriber__email="lecteur0@exemple.fr")
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 2)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_unsubscribing_during_a_send_takes_effect_at_once(smtp_server, django_capture_on_commit_callbacks):
    news = make_list()
    make_subscribers(5, lists=[news])
    issue = make_issue(lists=[news])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        issue_send_start(issue=issue)  # the rows exist, the batch has not run yet
    Subscriber.objects.filter(email="lecteur3@exemple.fr").update(
        status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )
    for callback in queued:
        callback()

    assert "lecteur3@exemple.fr" not in messages_per_address(smtp_server)
    assert len(smtp_server) == 4
    assert issue.deliveries.get(subscriber__email="lecteur3@exemple.fr").status == Delivery.Status.SKIPPED
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_a_scheduled_letter_is_started_by_the_periodic_job(smtp_server, django_capture_on_commit_callbacks):
    job = django_settings.WORKER_PERIODIC_JOBS["newsletter_sends"]
    assert job["EVERY"] == 60
    tick_task = import_string(job["TASK"])
    news = make_list()
    make_subscribers(3, lists=[news])
    issue = make_issue(lists=[news])
    at = timezone.now() + datetime.timedelta(hours=2)
    issue_schedule(issue=issue, at=at)
    assert issue.status == Issue.Status.SCHEDULED

    tick_task.call()  # the real job, now: not due yet
    assert smtp_server == []
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_sends_tick(now=at + datetime.timedelta(seconds=30))["started"] == 1
    assert len(smtp_server) == 3
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_scheduling_in_the_past_or_after_the_send_is_refused(django_capture_on_commit_callbacks):
    news = make_list()
    issue = make_issue(lists=[news])
    with pytest.raises(NewsletterError) as error:
        issue_schedule(issue=issue, at=timezone.now() - datetime.timedelta(minutes=1))
    assert error.value.field == "at"
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT)
    with pytest.raises(NewsletterError):
        issue_schedule(issue=issue, at=timezone.now() + datetime.timedelta(days=1))


def test_a_test_send_goes_to_oneself_only_marked_test(smtp_server, django_capture_on_commit_callbacks):
    news = make_list()
    make_subscribers(3, lists=[news])
    issue = make_issue(lists=[news])
    with django_capture_on_commit_callbacks(execute=True):
        issue_send_test(issue=issue, to="Camille@TheFrenchBot.fr")

    (message,) = smtp_server
    assert message["To"] == "camille@thefrenchbot.fr"
    assert header(message, "Subject") == f"[TEST] {issue.subject}"
    assert not Delivery.objects.exists()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    with pytest.raises(NewsletterError):
        issue_send_test(issue=issue, to="pas une adresse")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_halfway_and_restarted_sends_to_every_address_exactly_once(
    smtp_recorder, settings, tmp_path
):
    """2,000 confirmed subscribers, a real `db_worker` process killed with SIGKILL in the middle of its SMTP
    conversation for the 1,038th message (mid-batch), the periodic job run as it would be once the dead
    worker's rows are stale, and a new worker: every address has exactly one message."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSLETTER_SEND_BATCH_SIZE = 200
    news = make_list()
    subscribers = make_subscribers(2000, lists=[news])
    issue = make_issue(lists=[news])
    workers: dict[str, subprocess.Popen] = {}
    killed = threading.Event()
    kill_at = 1037

    def before_data(index):
        if index == kill_at:
            os.kill(workers["first"].pid, signal.SIGKILL)
            workers["first"].wait(timeout=30)
            killed.set()
            return "421 4.3.0 Service not available"
        return None

    recorder = smtp_recorder(Recorder(before_data=before_data))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "frenchbot.newsletter.tests.worker_settings",
        "PYTHONPATH": str(REPO_ROOT),
        "NEWSLETTER_TEST_SMTP_PORT": str(settings.EMAIL_PORT),
        "NEWSLETTER_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
        "NEWSLETTER_TEST_BATCH_SIZE": "200",
    }
    command = [
        sys.executable,
        "-m",
        "django",
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.1",
    ]

    def run_worker(name, *extra):
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        workers[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [*command, *extra], cwd=REPO_ROOT, env=env, stdout=log, stderr=log
        )
        return workers[name]

    assert issue_send_start(issue=issue) == 2000  # commits: the first batch is in the database queue
    first = run_worker("first")
    try:
        assert killed.wait(timeout=180), (tmp_path / "first.log").read_text()[-3000:]
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    assert len(recorder.messages) == kill_at
    in_flight = Delivery.objects.filter(issue=issue, status=Delivery.Status.SENDING).count()
    assert Delivery.objects.filter(issue=issue, status=Delivery.Status.SENT).count() == kill_at
    assert in_flight > 0  # the dead worker left its claimed rows

    # A new worker alone finds nothing to do until the periodic job gives the dead worker's rows back.
    later = timezone.now() + datetime.timedelta(minutes=settings.NEWSLETTER_SEND_RECLAIM_MINUTES + 1)
    assert issue_sends_tick(now=later)["reclaimed"] == in_flight
    second = run_worker("second", "--batch")
    assert second.wait(timeout=180) == 0, (tmp_path / "second.log").read_text()[-3000:]

    counts = messages_per_address(recorder.messages)
    assert set(counts) == {subscriber.email for subscriber in subscribers}
    assert counts.most_common(1)[0][1] == 1
    assert len(recorder.messages) == 2000
    assert Delivery.objects.filter(issue=issue).exclude(status=Delivery.Status.SENT).count() == 0
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
