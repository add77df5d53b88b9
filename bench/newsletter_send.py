"""Newsletter: a letter sent to 20,000 confirmed subscribers by a real worker (`frenchbot db_worker`) through a
local SMTP server (aiosmtpd) in its own process; messages per second and the worker's peak memory.

Everything goes to a temporary database (SQLite under a temporary folder, or DATABASE_URL) and to 127.0.0.1.

    .venv/bin/python bench/newsletter_send.py [--subscribers 20000] [--batch 200] [--rate 0] [--json]
"""

import argparse
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _smtp_server(port: int, received, ready) -> None:
    """The SMTP server's process: accepts every message and counts them (and their bytes)."""
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):
            with received.get_lock():
                received.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=200, help="NEWSLETTER_SEND_BATCH_SIZE")
    parser.add_argument("--rate", type=float, default=0, help="NEWSLETTER_SEND_RATE (0: as fast as possible)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds the worker may take")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    port = _free_port()
    os.environ.setdefault("FRENCHBOT_VAR_DIR", tempfile.mkdtemp(prefix="frenchbot-newsletter-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ["TASKS_BACKEND"] = "database"
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ["NEWSLETTER_SEND_BATCH_SIZE"] = str(args.batch)
    os.environ["NEWSLETTER_SEND_RATE"] = str(args.rate)
    os.environ.setdefault("SITE_URL", "https://thefrenchbot.fr")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min

    from frenchbot.newsletter.models import Delivery, Issue, MailingList, Subscriber
    from frenchbot.newsletter.services.sending import issue_send_start

    call_command("migrate", verbosity=0)
    Delivery.objects.all().delete()
    Issue.objects.all().delete()
    Subscriber.objects.all().delete()
    news, _ = MailingList.objects.get_or_create(slug="bench", defaults={"name": "Actualités de l'IA"})
    Subscriber.objects.bulk_create(
        (
            Subscriber(email=f"lecteur{n}@exemple.fr", status=Subscriber.Status.CONFIRMED)
            for n in range(args.subscribers)
        ),
        batch_size=2000,
    )
    Subscriber.lists.through.objects.bulk_create(
        (
            Subscriber.lists.through(subscriber_id=pk, mailinglist_id=news.pk)
            for pk in Subscriber.objects.values_list("pk", flat=True)
        ),
        batch_size=2000,
    )
    body = (ROOT / "README.md").read_text()[:4000]  # a letter of a realistic length
    issue = Issue.objects.create(
        slug="bench", subject="La lettre de décembre", preheader="Banc d'essai", body_markdown=body
    )
    issue.lists.set([news])

    received = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    server = multiprocessing.get_context("fork").Process(
        target=_smtp_server, args=(port, received, ready), daemon=True
    )
    server.start()
    if not ready.wait(30):
        print("Le serveur SMTP n'a pas démarré.", file=sys.stderr)
        return 2

    started = time.perf_counter()
    recipients = issue_send_start(issue=issue)  # writes the rows and queues the first batch
    rows_seconds = time.perf_counter() - started
    connection.close()

    worker_started = time.perf_counter()
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [
            sys.executable,
            "-m",
            "django",
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.1",
            "-v",
            "0",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + args.timeout
    status, rusage = 0, None
    while True:
        pid, status, rusage = os.wait4(worker.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            worker.kill()
            _, status, rusage = os.wait4(worker.pid, 0)
            break
        time.sleep(0.2)
    worker.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - worker_started
    server.terminate()
    server.join(5)

    span = Delivery.objects.filter(issue=issue).aggregate(first=Min("claimed_at"), last=Max("sent_at"))
    sent = Delivery.objects.filter(issue=issue, status=Delivery.Status.SENT).count()
    sending_seconds = (
        (span["last"] - span["first"]).total_seconds() if span["first"] and span["last"] else 0.0
    )
    issue.refresh_from_db()
    # ru_maxrss is in kilobytes on Linux.
    peak_mib = rusage.ru_maxrss / 1024 if rusage else 0.0
    result = {
        "database": connection.vendor,
        "subscribers": recipients,
        "batch_size": args.batch,
        "rate_limit": args.rate,
        "rows_written_seconds": round(rows_seconds, 2),
        "received_by_server": received.value,
        "rows_sent": sent,
        "issue_status": issue.status,
        "sending_seconds": round(sending_seconds, 1),
        "messages_per_second": round(sent / sending_seconds, 1) if sending_seconds else 0.0,
        "worker_wall_seconds": round(wall, 1),
        "worker_peak_rss_mib": round(peak_mib, 1),
        "worker_exit": worker.returncode,
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        width = max(len(key) for key in result)
        print("Newsletter send benchmark")
        for key, value in result.items():
            print(f"  {key.ljust(width)}  {value}")
    ok = worker.returncode == 0 and sent == recipients == received.value and issue.status == Issue.Status.SENT
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
