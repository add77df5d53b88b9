"""Shared pieces of the sending, rendering, archive and admin tests: subscribers in bulk, letters, and an SMTP
server (aiosmtpd on loopback, as the suite's `smtp_server`) whose answers a test chooses."""

import email
import socket
from collections import Counter
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from frenchbot.newsletter.models import Issue, MailingList, Subscriber


def make_list(slug: str = "actualites", name: str = "Actualités de l'IA") -> MailingList:
    return MailingList.objects.create(slug=slug, name=name)


def make_subscribers(
    count: int,
    *,
    lists: list[MailingList],
    status: str = Subscriber.Status.CONFIRMED,
    prefix: str = "lecteur",
) -> list[Subscriber]:
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(email=f"{prefix}{n}@exemple.fr", status=status, confirmed_at=now) for n in range(count)
    )
    subscribers = list(Subscriber.objects.filter(email__startswith=prefix).order_by("id"))
    Subscriber.lists.through.objects.bulk_create(
        Subscriber.lists.through(subscriber_id=s.pk, mailinglist_id=m.pk) for s in subscribers for m in lists
    )
    return subscribers


def make_issue(*, lists: list[MailingList], **fields) -> Issue:
    values = {
        "slug": "lettre-de-decembre",
        "subject": "L'IA au travail : ce qui a changé en décembre",
        "preheader": "Trois outils testés et un atelier à Lyon",
        "body_markdown": (
            "Bonjour,\n\nCe mois-ci, [trois outils testés](https://exemple.fr/outils) pour vos comptes rendus.\n\n"
            "## À lire\n\n- Un **tutoriel** pas à pas\n- Un retour d'expérience\n\n"
            "![Graphique des gains de temps](https://exemple.fr/graphique.png)\n"
        ),
    }
    values.update(fields)
    issue = Issue.objects.create(**values)
    issue.lists.set(lists)
    return issue


def header(message, name: str) -> str:
    """A header's value decoded and unfolded (long ones, like List-Unsubscribe, are folded over lines)."""
    value = message[name]
    if value is None:
        return ""
    return " ".join(str(make_header(decode_header(str(value)))).split())


def messages_per_address(messages) -> Counter:
    return Counter(message["To"] for message in messages)


class Recorder:
    """An aiosmtpd handler: refuses the addresses of `refuse` with their reply at RCPT, keeps every accepted
    message. `before_data(index)` runs before the n-th message is accepted (0-based), e.g. to kill a worker."""

    def __init__(self, refuse: dict[str, str] | None = None, before_data=None) -> None:
        self.refuse = refuse or {}
        self.messages: list[email.message.Message] = []
        self.before_data = before_data
        self.seen = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        index = self.seen
        self.seen += 1
        if self.before_data is not None:
            reply = self.before_data(index)
            if reply:
                return reply
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_recorder(settings):
    """Start an SMTP server with a given Recorder: `start(recorder)` returns the recorder; Django sends to it."""
    from aiosmtpd.controller import Controller

    controllers = []

    def start(recorder: Recorder) -> Recorder:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(recorder, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        return recorder

    yield start
    for controller in controllers:
        controller.stop()
