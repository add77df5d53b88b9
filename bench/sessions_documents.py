"""Training sessions: how long the documents of a full session take to produce — the attendance sheet (learners ×
half-days, drawn signatures), a certificate of completion, the convention — and the evidence archive of the
session, and how long one learner's signature takes to record.

Everything goes to a temporary database (SQLite under a temporary folder, or DATABASE_URL), never the site's.

    .venv/bin/python bench/sessions_documents.py [--learners 12] [--days 3] [--runs 5] [--json]
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(function, runs: int) -> dict:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    size = len(result) if isinstance(result, bytes | str) else None
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1), "bytes": size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=12)
    parser.add_argument("--days", type=int, default=3, help="days of the session (two half-days each)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("FRENCHBOT_VAR_DIR", tempfile.mkdtemp(prefix="frenchbot-sessions-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.utils import timezone

    from frenchbot.courses.models import Training
    from frenchbot.sessions.models import Attendance, HalfDay, Registration, TrainingSession
    from frenchbot.sessions.services import archive, conventions, documents
    from frenchbot.sessions.services.attendance import attendance_sign

    call_command("migrate", verbosity=0)
    # The PDFs read the fonts and styles from the collected static files, as in production.
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp = time.time_ns()
    trainer = get_user_model().objects.create(username=f"bench-trainer-{stamp}", is_staff=True)
    training = Training.objects.create(
        slug=f"bench-{stamp}",
        title="ChatGPT au quotidien",
        summary="Banc d'essai",
        audience="business",
        level="beginner",
        duration_hours=7 * args.days,
        outcomes="Écrire un bon prompt\nVérifier une réponse",
        is_published=True,
    )
    session = TrainingSession.objects.create(
        training=training, trainer=trainer, seats=args.learners, place="12 rue de l'Exemple, Paris"
    )
    first = timezone.localdate() + datetime.timedelta(days=30)
    half_days = []
    for day in range(args.days):
        for period, start, end in (("am", (9, 0), (12, 30)), ("pm", (14, 0), (17, 30))):
            half_days.append(
                HalfDay.objects.create(
                    session=session,
                    date=first + datetime.timedelta(days=day),
                    period=period,
                    starts_at=datetime.time(*start),
                    ends_at=datetime.time(*end),
                )
            )
    # A drawn signature of realistic size: three strokes of 60 points.
    strokes = [[[10 + i * 4, 50 + (i % 7) * 5 - stroke * 10] for i in range(60)] for stroke in range(3)]
    learners = [
        Registration.objects.create(session=session, name=f"Stagiaire {n}", email=f"s{n}-{stamp}@example.org")
        for n in range(args.learners)
    ]
    Attendance.objects.bulk_create(
        Attendance(
            registration=learner,
            half_day=half_day,
            status="present",
            signed_at=half_day.start,
            method="drawn",
            strokes=strokes,
        )
        for learner in learners
        for half_day in half_days
    )
    convention = conventions.convention_create(
        session=session,
        company_name="Exemple SAS",
        company_address="1 rue de l'Exemple\n44000 Nantes",
        company_siret="",
        contact_name="Jeanne Exemple",
        contact_email=f"jeanne-{stamp}@example.org",
        seats=args.learners,
        price_text="4 800 € HT",
    )

    def fresh(render):
        def run():
            cache.clear()  # the kept copies would answer from the cache
            return render()

        return run

    # A signature as the learner gives it, inside the window of a half-day of its own (a new learner each run).
    signing_day = HalfDay.objects.create(
        session=session,
        date=first + datetime.timedelta(days=args.days),
        period="am",
        starts_at=datetime.time(9),
        ends_at=datetime.time(12, 30),
    )
    signers = iter(
        Registration.objects.create(
            session=session, name=f"Signataire {n}", email=f"x{n}-{stamp}@example.org"
        )
        for n in range(args.runs)
    )

    def sign():
        learner = next(signers)
        attendance_sign(
            half_day=signing_day,
            registration=learner,
            signer=learner,
            method="drawn",
            strokes_raw=json.dumps(strokes),
            now=signing_day.start,
        )

    results = {
        "learners": args.learners,
        "half_days": len(half_days),
        "attendance_sheet_pdf": _timed(
            fresh(lambda: documents.attendance_sheet_pdf(session=session)), args.runs
        ),
        "completion_certificate_pdf": _timed(
            fresh(lambda: documents.completion_certificate_pdf(registration=learners[0])), args.runs
        ),
        "convention_pdf": _timed(fresh(lambda: documents.convention_pdf(convention=convention)), args.runs),
        "session_archive_zip": _timed(
            fresh(lambda: archive.archive_build(sessions=[session])), max(1, args.runs // 2)
        ),
        "signature_recorded": _timed(sign, args.runs),
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"Session of {args.learners} learners × {len(half_days)} half-days, drawn signatures")
        for name, figures in results.items():
            if isinstance(figures, dict):
                size = f", {figures['bytes'] / 1024:.0f} KiB" if figures["bytes"] else ""
                print(
                    f"  {name:28} median {figures['median_ms']:8.1f} ms, max {figures['max_ms']:8.1f} ms{size}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
