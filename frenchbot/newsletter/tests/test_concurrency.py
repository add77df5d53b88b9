"""Twenty sign-ups of one address at the same moment: one subscriber row and one confirmation e-mail.

Each attempt runs in its own thread with its own connection (SQLite in WAL mode with BEGIN IMMEDIATE, or
PostgreSQL when DATABASE_URL points to it), and commits for real, so the e-mails leave through the SMTP server."""

import threading

import pytest
from django.db import connections

from frenchbot.newsletter.models import Subscriber
from frenchbot.newsletter.services.subscriptions import subscription_request

from .factories import MailingListFactory

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 20


def test_simultaneous_sign_ups_of_one_address_send_one_email(smtp_server):
    MailingListFactory(slug="actualites", name="Actualités de l'IA")
    barrier = threading.Barrier(ATTEMPTS)
    results: list = [None] * ATTEMPTS

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            subscription_request(
                email="Camille@Exemple.fr",
                list_slugs=None,
                consent=True,
                consent_text="J'accepte.",
                origin="page",
                ip=f"203.0.113.{index}",
            )
            results[index] = "ok"
        except Exception as error:  # noqa: BLE001 - reported by the assertion
            results[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == ["ok"] * ATTEMPTS
    assert Subscriber.objects.count() == 1
    assert len(smtp_server) == 1
