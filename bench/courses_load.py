#!/usr/bin/env python3
"""Load benchmark of the trainings (issue 6): the lesson page and the progress page of signed-in learners.

In a throw-away data folder (and a throw-away PostgreSQL database with --database-url) it migrates, fills the
database with 10 published trainings and 1,000 learners with their enrolments and progress, counts the SQL
queries of each page in-process, then starts the site the way `make run` does (production settings, uvicorn
with 2 workers, the task worker beside it) and drives it with wrk on 127.0.0.1, rotating over the session
cookies of 64 learners and over the lessons / progress pages of the trainings they follow. It prints
requests/s, p50/p99 latency and every answer that was not a 200 carrying the expected content. See
bench/README.md.

    .venv/bin/python bench/courses_load.py                  # SQLite
    .venv/bin/python bench/courses_load.py --database-url postgres://postgres@127.0.0.1:5432
    .venv/bin/python bench/courses_load.py --duration 5     # quicker, noisier
    .venv/bin/python bench/courses_load.py --json out.json  # also write the figures as JSON ("-" = stdout only)

Exit status: 0 every answer was a 200 with the expected content, 1 some were not, 2 the benchmark could not run.
Needs `wrk` on PATH and the project's virtualenv (Django runs in this process to fill the database).
"""

# ruff: noqa: S603, S607, S311 - a benchmark runs its own fixed commands; its random numbers make test data
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

# The server, wrk, the CPU watch and the report come from the blog's benchmark, unchanged.
from blog_load import (  # noqa: E402
    HOST,
    WRK_TIMEOUT_S,
    CpuWatch,
    Result,
    Server,
    _interrupt,
    _python_shown,
    fill_result,
    git_state,
    http_get,
    log,
    machine_info,
    print_table,
    run_wrk,
    scan_log,
    server_env,
    venv_bin,
)

MODULES_PER_TRAINING = 4
LESSONS_PER_MODULE = 4
QUESTIONS_PER_QUIZ = 5
LESSON_WORDS = 500
PASSWORD = "motdepasse-solide-42"  # noqa: S105 - every learner's; hashed once (PBKDF2) and the hash reused
SAMPLE_CHECKS = 24  # URLs of each kind fetched and checked one by one before wrk runs

# Lua for wrk: GET a rotation of (path, Cookie) pairs read from a file, and check every answer — wrk itself
# counts 3xx as successes, and a benchmark of redirects to the login page would be worthless. Written next to
# the data folder at run time (bench/wrk/ holds the blog's scripts).
LUA = r"""
-- wrk -s rotation.lua URL -- <pairs file> [marker ...]
-- Each line of the pairs file: <path>\t<Cookie header or empty>. Every answer must be a 200 whose body holds
-- every marker (plain substrings); the rest is counted by kind and reported in the WRK_JSON line.
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

function init(args)
  markers = {}
  for k = 2, #args do markers[#markers + 1] = args[k] end
  items = {}
  for line in io.lines(args[1]) do
    local path, cookie = string.match(line, "^([^\t]*)\t?(.*)$")
    local headers = {
      ["Accept"] = "text/html",
      ["Accept-Language"] = "fr",
      ["User-Agent"] = "frenchbot-bench/wrk",
    }
    if cookie ~= "" then headers["Cookie"] = cookie end
    items[#items + 1] = wrk.format("GET", path, headers)
  end
  -- Threads start half the list apart so that they do not ask for the same pages in step.
  i = ((tid or 1) - 1) * math.floor(#items / 2) % #items
  st_200, st_3xx, st_403, st_404, st_4xx, st_5xx, st_other, missing = 0, 0, 0, 0, 0, 0, 0, 0
  shown = false
end

function request()
  i = i % #items + 1
  return items[i]
end

function response(status, headers, body)
  if status == 200 then
    st_200 = st_200 + 1
    for _, marker in ipairs(markers) do
      if not body or not string.find(body, marker, 1, true) then
        missing = missing + 1
        if not shown then
          shown = true
          io.write("WRK_MISSING ", marker, "\n")
        end
        break
      end
    end
  elseif status >= 300 and status < 400 then
    st_3xx = st_3xx + 1
    if not shown then
      shown = true
      io.write("WRK_FIRST_3XX ", status, " ", headers["Location"] or headers["location"] or "", "\n")
    end
  elseif status == 403 then
    st_403 = st_403 + 1
  elseif status == 404 then
    st_404 = st_404 + 1
  elseif status >= 400 and status < 500 then
    st_4xx = st_4xx + 1
  elseif status >= 500 then
    st_5xx = st_5xx + 1
  else
    st_other = st_other + 1
  end
end

function done(summary, latency, requests)
  local c = {s200 = 0, s3xx = 0, s403 = 0, s404 = 0, s4xx = 0, s5xx = 0, other = 0, missing = 0}
  for _, t in ipairs(threads) do
    c.s200 = c.s200 + (t:get("st_200") or 0)
    c.s3xx = c.s3xx + (t:get("st_3xx") or 0)
    c.s403 = c.s403 + (t:get("st_403") or 0)
    c.s404 = c.s404 + (t:get("st_404") or 0)
    c.s4xx = c.s4xx + (t:get("st_4xx") or 0)
    c.s5xx = c.s5xx + (t:get("st_5xx") or 0)
    c.other = c.other + (t:get("st_other") or 0)
    c.missing = c.missing + (t:get("missing") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,' ..
    '"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,"max_us":%.0f,"mean_us":%.1f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"timeout":%.0f,"status":%.0f},' ..
    '"statuses":{"200":%.0f,"3xx":%.0f,"403":%.0f,"404":%.0f,"other_4xx":%.0f,"5xx":%.0f,"other":%.0f},' ..
    '"missing_marker":%.0f}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status,
    c.s200, c.s3xx, c.s403, c.s404, c.s4xx, c.s5xx, c.other, c.missing))
end
"""

TRAINING_TITLES = [
    "ChatGPT au quotidien",
    "L'IA dans votre PME",
    "Rédiger avec l'IA",
    "Automatiser votre boîte mail",
    "L'IA pour les ressources humaines",
    "Analyser des données sans coder",
    "Le service client assisté par l'IA",
    "Créer des visuels avec l'IA",
    "L'IA et le droit : les bases",
    "Prompts avancés pour managers",
]
PADDING = [
    "Relisez toujours la réponse avant de l'envoyer : l'assistant se trompe avec assurance.",
    "Gardez vos meilleurs prompts dans un document partagé avec votre équipe.",
    "Un exemple concret vaut mieux qu'une longue explication : montrez ce que vous attendez.",
    "Précisez le public, le ton et la longueur : la réponse gagne en justesse.",
    "Ne confiez jamais de données personnelles de vos clients à un outil grand public.",
    "Demandez à l'assistant de vous poser des questions avant de répondre.",
    "Comparez deux versions de la même réponse et gardez la plus claire.",
    "Notez le temps gagné sur chaque tâche : c'est votre meilleur argument.",
]


# --- The data: trainings, learners, progress -----------------------------------------------------------------


def _pad(body: str, rng: random.Random) -> str:
    """A demo lesson's Markdown, completed to about LESSON_WORDS words with a « À retenir » section."""
    words = len(body.split())
    lines = []
    while words < LESSON_WORDS:
        sentence = rng.choice(PADDING)
        lines.append(f"- {sentence}")
        words += len(sentence.split()) + 1
    return body.rstrip() + ("\n\n## À retenir\n\n" + "\n".join(lines) + "\n" if lines else "\n")


def populate(*, trainings: int, learners: int, seed: int) -> dict:
    """Fill the (empty, migrated) database with bulk inserts; returns what the runs need to know."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from frenchbot.courses import demo
    from frenchbot.courses.models import (
        Audience,
        Certificate,
        Enrolment,
        ExerciseSubmission,
        Lesson,
        LessonCompletion,
        Module,
        PromptExercise,
        Quiz,
        QuizAttempt,
        QuizChoice,
        QuizQuestion,
        RubricCriterion,
        Training,
        TrainingLevel,
    )

    rng = random.Random(seed)
    # Real lessons, questions and exercises written for the demo, recombined.
    demo_trainings = demo.courses_demo_trainings()
    demo_lessons = [les for t in demo_trainings for m in t["modules"] for les in m["lessons"]]
    demo_questions = [q for t in demo_trainings for m in t["modules"] for q in m["quiz"]]
    demo_exercises = [m["exercise"] for t in demo_trainings for m in t["modules"] if m.get("exercise")]
    now = timezone.now()
    counts: dict[str, int] = {}
    started = time.perf_counter()
    with transaction.atomic():
        objs = [
            Training(
                slug=slugify(TRAINING_TITLES[n % len(TRAINING_TITLES)])[:100] + f"-{n + 1}",
                title=TRAINING_TITLES[n % len(TRAINING_TITLES)]
                + ("" if n < len(TRAINING_TITLES) else f" {n}"),
                summary="Une formation en ligne pour utiliser l'IA au travail, pas à pas.",
                description=demo_trainings[n % 2]["description"],
                audience=Audience.BUSINESS if n % 2 else Audience.INDIVIDUAL,
                level=TrainingLevel.BEGINNER,
                duration_hours=7,
                outcomes="\n".join(demo_trainings[n % 2]["outcomes"]),
                price_text="290 € TTC",
                order=n,
                is_published=True,
            )
            for n in range(trainings)
        ]
        training_rows = Training.objects.bulk_create(objs)
        modules = Module.objects.bulk_create(
            Module(
                training=t, title=f"Module {m + 1} de {t.title}", summary="Ce que vous y apprenez.", order=m
            )
            for t in training_rows
            for m in range(MODULES_PER_TRAINING)
        )
        lesson_objs = []
        for index, module in enumerate(modules):
            for n in range(LESSONS_PER_MODULE):
                source = demo_lessons[(index * LESSONS_PER_MODULE + n) % len(demo_lessons)]
                lesson_objs.append(
                    Lesson(
                        module=module,
                        title=source["title"],
                        slug=slugify(source["title"])[:120],
                        body=_pad(source["body"], rng),
                        minutes=source["minutes"],
                        order=10 * (n + 1),
                        # The first lesson of each training is the free preview.
                        is_preview=module.order == 0 and n == 0,
                    )
                )
        lessons = Lesson.objects.bulk_create(lesson_objs)
        quizzes = Quiz.objects.bulk_create(
            Quiz(
                module=module,
                title=f"Quiz : {module.title}",
                intro="5 questions sur les points clés du module.",
                pass_mark=70,
                order=60,
            )
            for module in modules
        )
        question_sources = []
        question_objs = []
        for index, quiz in enumerate(quizzes):
            for n in range(QUESTIONS_PER_QUIZ):
                source = demo_questions[(index * QUESTIONS_PER_QUIZ + n) % len(demo_questions)]
                question_sources.append(source)
                question_objs.append(
                    QuizQuestion(
                        quiz=quiz,
                        text=source["text"],
                        kind=source["kind"],
                        explanation=source["explanation"],
                        order=n + 1,
                    )
                )
        questions = QuizQuestion.objects.bulk_create(question_objs)
        choices = QuizChoice.objects.bulk_create(
            QuizChoice(question=question, text=text, is_correct=correct, order=n + 1)
            for question, source in zip(questions, question_sources, strict=True)
            for n, (text, correct) in enumerate(source["choices"])
        )
        # One prompt exercise per training, in its last module (before the quiz).
        last_modules = [m for m in modules if m.order == MODULES_PER_TRAINING - 1]
        exercise_sources = [demo_exercises[n % len(demo_exercises)] for n in range(len(last_modules))]
        exercises = PromptExercise.objects.bulk_create(
            PromptExercise(
                module=module, title=source["title"], task=source["task"], pass_criteria=0, order=50
            )
            for module, source in zip(last_modules, exercise_sources, strict=True)
        )
        criteria = RubricCriterion.objects.bulk_create(
            RubricCriterion(
                exercise=exercise,
                label=item["label"],
                rule=item["rule"],
                values="\n".join(item["values"]),
                feedback_ok=item["feedback_ok"],
                feedback_missing=item["feedback_missing"],
                order=n + 1,
            )
            for exercise, source in zip(exercises, exercise_sources, strict=True)
            for n, item in enumerate(source["criteria"])
        )
        counts.update(
            trainings=len(training_rows),
            modules=len(modules),
            lessons=len(lessons),
            quizzes=len(quizzes),
            questions=len(questions),
            choices=len(choices),
            exercises=len(exercises),
            criteria=len(criteria),
        )

        # Each training's steps in the order of its outline: per module 4 lessons, (the exercise,) the quiz.
        by_module_lessons: dict[int, list] = {}
        for lesson in lessons:
            by_module_lessons.setdefault(lesson.module_id, []).append(lesson)
        quiz_of = {q.module_id: q for q in quizzes}
        exercise_of = {e.module_id: e for e in exercises}
        outline: dict[int, list[tuple[str, object]]] = {}
        for module in modules:
            steps = outline.setdefault(module.training_id, [])
            steps += [("lesson", les) for les in by_module_lessons[module.pk]]
            if module.pk in exercise_of:
                steps.append(("exercise", exercise_of[module.pk]))
            steps.append(("quiz", quiz_of[module.pk]))

        # Learners: one PBKDF2 hash for all (hashing 1,000 times would take minutes), verified addresses.
        password_hash = make_password(PASSWORD)
        User = get_user_model()
        first_names = [
            "Claire",
            "Julien",
            "Sophie",
            "Karim",
            "Emma",
            "Lucas",
            "Inès",
            "Hugo",
            "Léa",
            "Thomas",
        ]
        users = User.objects.bulk_create(
            User(
                username=f"apprenant{n:04d}",
                email=f"apprenant{n:04d}@exemple.fr",
                first_name=first_names[n % len(first_names)],
                last_name=f"Martin{n:04d}",
                password=password_hash,
                date_joined=now - dt.timedelta(days=rng.randint(1, 365)),
            )
            for n in range(learners)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
        )
        counts["learners"] = len(users)

        # Enrolments in 1–3 trainings, with progress: a prefix of the outline done (none for some, all for
        # others: those have their certificate).
        enrolment_objs, plans = [], []
        for user in users:
            k = rng.choices((1, 2, 3), weights=(50, 30, 20))[0]
            for training in rng.sample(training_rows, min(k, len(training_rows))):
                steps = outline[training.pk]
                r = rng.random()
                done = 0 if r < 0.15 else len(steps) if r < 0.25 else rng.randint(1, len(steps) - 1)
                done_lessons = [obj for kind, obj in steps[:done] if kind == "lesson"]
                enrolment_objs.append(
                    Enrolment(
                        user=user,
                        training=training,
                        source=rng.choice((Enrolment.Source.PURCHASE, Enrolment.Source.CODE)),
                        last_lesson=done_lessons[-1] if done_lessons else None,
                        completed_at=now if done == len(steps) else None,
                    )
                )
                plans.append(done)
        enrolments = Enrolment.objects.bulk_create(enrolment_objs)
        completions, attempts, submissions, certificates = [], [], [], []
        progress: dict[str, dict] = {}
        for enrolment, done in zip(enrolments, plans, strict=True):
            steps = outline[enrolment.training_id]
            for kind, obj in steps[:done]:
                if kind == "lesson":
                    completions.append(LessonCompletion(enrolment=enrolment, lesson=obj))
                elif kind == "quiz":
                    number = 1
                    if rng.random() < 0.25:  # failed once first
                        attempts.append(
                            QuizAttempt(enrolment=enrolment, quiz=obj, number=1, score=40, passed=False)
                        )
                        number = 2
                    attempts.append(
                        QuizAttempt(
                            enrolment=enrolment,
                            quiz=obj,
                            number=number,
                            score=rng.choice((80, 100)),
                            passed=True,
                        )
                    )
                else:
                    submissions.append(
                        ExerciseSubmission(
                            enrolment=enrolment,
                            exercise=obj,
                            prompt="Tu es un conseiller clientèle. Réponds poliment à ce client, en cinq lignes.",
                            results=[],
                            passed=True,
                        )
                    )
            # Stopped just before a quiz: sometimes a failed attempt already.
            if done < len(steps) and steps[done][0] == "quiz" and rng.random() < 0.3:
                attempts.append(
                    QuizAttempt(enrolment=enrolment, quiz=steps[done][1], number=1, score=40, passed=False)
                )
            if done == len(steps):
                user = enrolment.user
                certificates.append(
                    Certificate(
                        enrolment=enrolment,
                        learner_name=user.get_full_name(),
                        training_title=enrolment.training.title,
                        hours=enrolment.training.duration_hours,
                        issued_on=timezone.localdate(),
                    )
                )
            progress[f"{enrolment.user_id}:{enrolment.training_id}"] = {
                "done": done,
                "total": len(steps),
                "lessons_done": [obj.pk for kind, obj in steps[:done] if kind == "lesson"],
            }
        LessonCompletion.objects.bulk_create(completions, batch_size=2000)
        QuizAttempt.objects.bulk_create(attempts, batch_size=2000)
        ExerciseSubmission.objects.bulk_create(submissions, batch_size=2000)
        Certificate.objects.bulk_create(certificates, batch_size=2000)
        counts.update(
            enrolments=len(enrolments),
            lesson_completions=len(completions),
            quiz_attempts=len(attempts),
            exercise_submissions=len(submissions),
            certificates=len(certificates),
        )
    counts["seconds"] = round(time.perf_counter() - started, 1)
    counts["lesson_words_mean"] = round(statistics.mean(len(les.body.split()) for les in lessons))

    def url(lesson):
        return f"/formations/{lesson.module.training.slug}/lecons/{lesson.pk}/{lesson.slug}/"

    slug_of = {t.pk: t.slug for t in training_rows}
    enrolled: dict[int, list[int]] = {}
    for enrolment in enrolments:
        enrolled.setdefault(enrolment.user_id, []).append(enrolment.training_id)
    return {
        "counts": counts,
        "users": [{"pk": u.pk, "email": u.email} for u in users],
        "enrolled": enrolled,
        "progress": progress,
        "trainings": {t.pk: {"slug": t.slug, "title": t.title} for t in training_rows},
        "lessons": {
            les.pk: {
                "training": les.module.training_id,
                "title": les.title,
                "url": url(les),
                "preview": les.is_preview,
            }
            for les in lessons
        },
        "slug_of": slug_of,
    }


def sessions_create(user_pks: list[int]) -> dict[int, str]:
    """A signed-in session per learner, as django.contrib.auth.login() leaves it (user id, backend, hash of
    the password), stored by the site's session engine; the key is the `sessionid` cookie."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {}
    for user in get_user_model().objects.filter(pk__in=user_pks):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[user.pk] = session.session_key
    return keys


# --- SQL queries per page, in-process -------------------------------------------------------------------------


def query_counts(data: dict, *, sessions: dict[int, str], seed: int) -> dict:
    """Queries (and in-process render time) of each page through Django's test client and the whole middleware
    stack; then the same pages for a learner following 3 trainings and on a training twice as large (created
    in a transaction rolled back afterwards) to see whether the count grows."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from frenchbot.courses.models import Enrolment, Lesson, LessonCompletion, Module, Quiz, Training

    cookie = settings.SESSION_COOKIE_NAME

    def client_for(user_pk=None) -> Client:
        client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="fr")
        if user_pk is not None:
            client.cookies[cookie] = sessions[user_pk]
        return client

    def measure(client: Client, path: str, *, status: int = 200, repeat: int = 0) -> dict:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        if response.status_code != status:
            raise RuntimeError(f"in-process GET {path} answered {response.status_code}, not {status}")
        out = {"queries": len(ctx.captured_queries), "sql": [q["sql"][:300] for q in ctx.captured_queries]}
        if repeat:
            times = []
            for _ in range(repeat):
                began = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - began) * 1000)
            out["ms_median"] = round(statistics.median(times), 1)
        return out

    rng = random.Random(seed + 1)
    by_count: dict[int, list[int]] = {}
    for user_pk, trainings in data["enrolled"].items():
        if user_pk in sessions:
            by_count.setdefault(len(trainings), []).append(user_pk)
    one = by_count.get(1, [next(iter(sessions))])[0]
    three = (by_count.get(3) or by_count.get(2) or [one])[0]
    lessons_of = {}
    for pk, lesson in data["lessons"].items():
        lessons_of.setdefault(lesson["training"], []).append(pk)

    def lesson_path(user_pk, *, index=None):
        training = data["enrolled"][user_pk][0]
        pks = lessons_of[training]
        return data["lessons"][pks[index if index is not None else rng.randrange(len(pks))]]["url"]

    def progress_path(user_pk):
        return f"/formations/{data['slug_of'][data['enrolled'][user_pk][0]]}/progression/"

    results = {}
    for label, user_pk in (("1 training", one), (f"{len(data['enrolled'][three])} trainings", three)):
        client = client_for(user_pk)
        first, second = lesson_path(user_pk, index=1), lesson_path(user_pk, index=2)
        client.get(first)  # so that the next one is a lesson other than the last opened
        results[f"lesson, opening another lesson (learner in {label})"] = measure(client, second)
        results[f"lesson, same lesson again (learner in {label})"] = measure(client, second, repeat=20)
        results[f"progress (learner in {label})"] = measure(client, progress_path(user_pk), repeat=20)
        results[f"« Mes formations » dashboard (learner in {label})"] = measure(
            client, "/formations/mes-formations/"
        )
    preview = next(les["url"] for les in data["lessons"].values() if les["preview"])
    results["preview lesson, anonymous"] = measure(client_for(), preview, repeat=20)

    # A training twice as large (8 modules × 8 lessons), rolled back afterwards.
    with transaction.atomic():
        big = Training.objects.create(
            slug="grande-formation-bench",
            title="Grande formation",
            summary="x",
            audience="individual",
            level="beginner",
            duration_hours=14,
            is_published=True,
        )
        modules = Module.objects.bulk_create(Module(training=big, title=f"M{m}", order=m) for m in range(8))
        body = Lesson.objects.filter(is_preview=False).values_list("body", flat=True).first()
        big_lessons = Lesson.objects.bulk_create(
            Lesson(module=m, title=f"Leçon {m.order}.{n}", slug=f"lecon-{n}", body=body, order=10 * (n + 1))
            for m in modules
            for n in range(8)
        )
        Quiz.objects.bulk_create(Quiz(module=m, title=f"Quiz {m.order}", order=90) for m in modules)
        enrolment = Enrolment.objects.create(user_id=one, training=big, source="staff")
        LessonCompletion.objects.bulk_create(
            LessonCompletion(enrolment=enrolment, lesson=les) for les in big_lessons[:20]
        )
        client = client_for(one)
        path = f"/formations/{big.slug}/lecons/{{}}/{{}}/"
        client.get(path.format(big_lessons[0].pk, big_lessons[0].slug))
        results["lesson, opening another lesson (training of 8 × 8 lessons)"] = measure(
            client, path.format(big_lessons[30].pk, big_lessons[30].slug)
        )
        results["progress (training of 8 × 8 lessons)"] = measure(
            client, f"/formations/{big.slug}/progression/"
        )
        transaction.set_rollback(True)
    return results


# --- The runs -------------------------------------------------------------------------------------------------


def _interleave(per_learner: list[list[str]]) -> list[str]:
    """Round-robin over the learners: learner 1's first URL, learner 2's first…, then everyone's second…, so
    that a learner's consecutive requests ask for different pages."""
    out = []
    longest = max(len(urls) for urls in per_learner)
    for r in range(longest):
        for urls in per_learner:
            out.append(urls[r % len(urls)])
    return out


def check_samples(server: Server, data: dict, sessions: dict[int, str], rng: random.Random) -> dict:
    """Fetch a sample of every kind of URL one by one and check status and content before any load."""
    cookie_of = {pk: f"sessionid={key}" for pk, key in sessions.items()}
    checked = {"lesson": 0, "progress": 0, "preview": 0, "locked": 0, "login_redirect": 0}
    learners = list(sessions)
    for _ in range(SAMPLE_CHECKS):
        user_pk = rng.choice(learners)
        training_pk = rng.choice(data["enrolled"][user_pk])
        lesson_pk, lesson = rng.choice(
            [(pk, les) for pk, les in data["lessons"].items() if les["training"] == training_pk]
        )
        status, _, body = http_get(server.base + lesson["url"], headers={"Cookie": cookie_of[user_pk]})
        page = body.decode("utf-8", "replace")
        done = lesson_pk in data["progress"][f"{user_pk}:{training_pk}"]["lessons_done"]
        if status != 200 or html.escape(lesson["title"]) not in page or "lesson__complete" not in page:
            raise RuntimeError(
                f"lesson {lesson['url']} for learner {user_pk}: {status}, or not the enrolled view"
            )
        if ("Vous avez terminé cette leçon" in page) != done:
            raise RuntimeError(f"lesson {lesson['url']} for learner {user_pk}: done should be {done}")
        checked["lesson"] += 1

        state = data["progress"][f"{user_pk}:{training_pk}"]
        path = f"/formations/{data['slug_of'][training_pk]}/progression/"
        status, _, body = http_get(server.base + path, headers={"Cookie": cookie_of[user_pk]})
        page = body.decode("utf-8", "replace")
        pct = state["done"] * 100 // state["total"]
        figure = rf"{pct}\s*%\s*terminé\s*:\s*{state['done']}\s*étapes?\s*sur\s*{state['total']}\b"
        title = html.escape(data["trainings"][training_pk]["title"])
        if status != 200 or title not in page or not re.search(figure, page):
            raise RuntimeError(
                f"progress {path} for learner {user_pk}: {status}, or not « {pct} % terminé : {state['done']} "
                f"étapes sur {state['total']} »"
            )
        checked["progress"] += 1
    for lesson in data["lessons"].values():
        status, _, body = http_get(server.base + lesson["url"])
        page = body.decode("utf-8", "replace")
        if lesson["preview"]:
            if status != 200 or html.escape(lesson["title"]) not in page or "Aperçu gratuit" not in page:
                raise RuntimeError(f"preview lesson {lesson['url']} (anonymous): {status}")
            checked["preview"] += 1
        elif checked["locked"] < 3:
            # The cookie is what opens the other lessons: without it, the enrolment prompt (403).
            if status != 403:
                raise RuntimeError(
                    f"lesson {lesson['url']} answered {status} to an anonymous visitor, not 403"
                )
            checked["locked"] += 1
    status, headers, _ = http_get(
        server.base + f"/formations/{next(iter(data['slug_of'].values()))}/progression/"
    )
    if status != 302 or "/compte/" not in dict(headers).get("location", dict(headers).get("Location", "")):
        raise RuntimeError(f"progress page without a session answered {status}, not a redirect to sign in")
    checked["login_redirect"] += 1
    return checked


def login_check(server: Server, data: dict, user: dict) -> str:
    """One learner signs in through the real allauth form (CSRF token, e-mail, password), then opens their
    progress page with the session cookie they got: the accounts the benchmark created really work."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Accept-Language", "fr"), ("User-Agent", "frenchbot-bench/python")]
    with opener.open(server.base + "/compte/login/", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token:
        raise RuntimeError("login page: no csrfmiddlewaretoken")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "login": user["email"], "password": PASSWORD}
    ).encode()
    with opener.open(server.base + "/compte/login/", data=form, timeout=30) as response:
        final = response.geturl()
        page = response.read().decode()
    if not any(c.name == "sessionid" for c in jar) or "/formations/mes-formations/" not in final:
        raise RuntimeError(f"sign-in through the form failed (ended on {final})")
    slug = data["slug_of"][data["enrolled"][user["pk"]][0]]
    with opener.open(server.base + f"/formations/{slug}/progression/", timeout=30) as response:
        if response.status != 200 or "terminé" not in response.read().decode():
            raise RuntimeError("progress page after signing in through the form: not the learner's page")
    return final.replace(server.base, "")


def _postgres_cpu_s() -> float:
    """CPU seconds used so far by the local PostgreSQL server's processes (their "other CPU" share is ours)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                comm, rest = (entry / "stat").read_text().split(" (", 1)[1].rsplit(")", 1)
                if comm == "postgres":
                    total += sum(int(x) for x in rest.split()[11:13])
    return total / os.sysconf("SC_CLK_TCK")


def rotation_scenario(
    server: Server, name: str, pairs: list[tuple[str, str]], markers: list[str], args, folder: Path
) -> Result:
    """wrk on a rotation of (path, cookie) pairs after a warm-up; every answer must be a 200 with the markers."""
    pairs_file = folder / f"pairs-{re.sub(r'[^a-z]+', '-', name.lower()).strip('-')}.tsv"
    pairs_file.write_text("".join(f"{path}\t{cookie}\n" for path, cookie in pairs))
    script = folder / "rotation.lua"
    script.write_text(LUA)
    script_args = (str(pairs_file), *markers)
    url = server.base + pairs[0][0]
    log(f"{name}: {len(pairs)} URLs in rotation; warm-up {args.warmup} s")
    run_wrk(
        url, script=str(script), connections=args.connections, duration=args.warmup, script_args=script_args
    )
    sizes = server.log_sizes()
    load_before = os.getloadavg()
    log(f"{name}: wrk -c{args.connections} -d{args.duration}s (load average {load_before[0]:.2f})")
    pg_before, began = _postgres_cpu_s(), time.monotonic()
    with CpuWatch(server) as watch:
        parsed, raw = run_wrk(
            url,
            script=str(script),
            connections=args.connections,
            duration=args.duration,
            script_args=script_args,
        )
    result = fill_result(
        Result(name, pairs[0][0], args.connections, args.duration, target="all 200 + content"), parsed, raw
    )
    scan_log(result, server.log_since(sizes))
    lua = parsed.get("lua", {})
    statuses = lua.get("statuses", {})
    not_ok = sum(v for k, v in statuses.items() if k != "200") + lua.get("missing_marker", 0)
    # wrk counts 3xx as successes: the Lua hook's own count is the one that decides.
    result.errors = max(result.errors, not_ok + sum(result.details.get("socket_errors", {}).values()))
    result.details["urls_in_rotation"] = len(pairs)
    result.details["distinct_cookies"] = len({c for _, c in pairs if c})
    result.details["loadavg_before"] = [round(x, 2) for x in load_before]
    result.details["other_cpu_pct"] = watch.other_pct
    pg_pct = 100 * (_postgres_cpu_s() - pg_before) / ((time.monotonic() - began) * (os.cpu_count() or 1))
    result.details["postgres_cpu_pct"] = round(pg_pct, 1)
    if watch.other_pct is not None:
        # The local PostgreSQL server works for this benchmark: shown apart, not as other work.
        result.details["other_cpu_incl_postgres_pct"] = watch.other_pct
        result.details["other_cpu_pct"] = round(max(0.0, watch.other_pct - pg_pct), 1)
    if m := re.search(r"^WRK_(MISSING|FIRST_3XX) (.*)$", raw, re.M):
        result.details["first_problem"] = f"{m.group(1)} {m.group(2)}"
    result.passed = result.errors == 0 and result.requests > 0 and statuses.get("200", 0) > 0
    return result


# --- PostgreSQL: a throw-away database ------------------------------------------------------------------------


def pg_create(server_url: str) -> tuple[str, str]:
    """Create `frenchbot_bench_<pid>` on the PostgreSQL server of `server_url`; returns (its URL, the URL of the
    database used to create and drop it)."""
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise RuntimeError(f"--database-url must be a postgres:// URL, not {parts.scheme}://")
    admin = parts._replace(
        scheme="postgresql", path=parts.path if parts.path not in ("", "/") else "/postgres"
    )
    name = f"frenchbot_bench_{os.getpid()}"
    with psycopg.connect(urllib.parse.urlunsplit(admin), autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(
        parts._replace(scheme="postgres", path=f"/{name}")
    ), urllib.parse.urlunsplit(admin)


def pg_drop(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_TZ_AT_START = os.environ.get("TZ")


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _django_close() -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
        if hasattr(conn, "close_pool"):
            conn.close_pool()


# --- Main -----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=int, default=15, help="seconds of each measured wrk run (default 15)"
    )
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of warm-up before each run (default 3)"
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers, as `make run` (default 2)")
    parser.add_argument("--learners", type=int, default=1000, help="learners in the database (default 1000)")
    parser.add_argument("--trainings", type=int, default=10, help="published trainings (default 10)")
    parser.add_argument(
        "--signed-in", type=int, default=64, help="learners whose cookies wrk rotates over (64)"
    )
    parser.add_argument("--seed", type=int, default=6, help="random seed of the data (default 6)")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="a PostgreSQL server (postgres://postgres@127.0.0.1:5432): the run creates the database "
        "frenchbot_bench_<pid> there and drops it at the end (unless --keep); default: a SQLite file",
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write the results as JSON to FILE, or to stdout instead of the table when no FILE",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the data folder, logs and PostgreSQL database"
    )
    args = parser.parse_args(argv)
    for name in ("duration", "connections", "warmup", "workers", "trainings", "signed_in"):
        if not 1 <= getattr(args, name) <= (3600 if name in ("duration", "warmup") else 1000):
            parser.error(f"--{name.replace('_', '-')} is out of range")
    if not 1 <= args.learners <= 100_000 or args.signed_in + 1 > args.learners:
        parser.error("--learners must be 1..100000 and larger than --signed-in")

    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install wrk)")
        return 2
    if not (venv_bin() / "uvicorn").exists():
        log(f"no uvicorn in {venv_bin()}: run `make install` first")
        return 2
    signal.signal(signal.SIGTERM, _interrupt)

    started = dt.datetime.now().astimezone()
    uptime_before = _uptime()
    machine = machine_info()
    code_at_start = git_state()
    var_dir = Path(tempfile.mkdtemp(prefix="frenchbot-bench-courses-"))
    env = server_env(var_dir, page_cache=300, min_fill=3)
    env.pop("DATABASE_URL", None)  # a fresh database, never the one of the environment
    env["TASKS_BACKEND"] = env.get("TASKS_BACKEND", "database")
    pg = None
    database = "sqlite (temporary file)"
    results: list[Result] = []
    report_extra: dict = {}
    failed_to_run = None
    server = None
    try:
        if args.database_url:
            db_url, admin_url = pg_create(args.database_url)
            pg = (admin_url, urllib.parse.urlsplit(db_url).path.lstrip("/"))
            env["DATABASE_URL"] = db_url
            database = re.sub(r"//[^@/]*@", "//***@", db_url)
            log(f"created PostgreSQL database {pg[1]}")
        log(f"database: {database}; data folder {var_dir}; {uptime_before}")
        server = Server("server[courses]", var_dir=var_dir, env=env, workers=args.workers)
        log("migrate, collectstatic")
        server.manage("migrate", "--noinput", "-v", "0")
        server.manage("collectstatic", "--noinput", "-v", "0")

        # Django in this process, on the same data folder (same secret key, same database) as the server.
        os.environ.update(env)
        os.environ["LOG_LEVEL"] = "WARNING"
        import django

        django.setup()
        # Django set TZ to TIME_ZONE for this process: keep the log's clock and `uptime` in the zone they began in.
        if _TZ_AT_START is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = _TZ_AT_START
        time.tzset()
        from django.db import connection

        log(f"filling the database: {args.trainings} trainings, {args.learners} learners")
        data = populate(trainings=args.trainings, learners=args.learners, seed=args.seed)
        log(f"filled in {data['counts']['seconds']} s: {data['counts']}")
        rng = random.Random(args.seed)
        chosen = rng.sample(data["users"], args.signed_in + 1)
        signed_in, form_user = [u["pk"] for u in chosen[:-1]], chosen[-1]
        sessions = sessions_create(signed_in)
        log("counting SQL queries per page (in-process)")
        queries = query_counts(data, sessions=sessions, seed=args.seed)
        report_extra["vendor"] = connection.vendor
        _django_close()

        server.start()
        report_extra["checked"] = check_samples(server, data, sessions, random.Random(args.seed + 2))
        report_extra["form_login"] = login_check(server, data, form_user)
        log(
            f"checked before the runs: {report_extra['checked']}; sign-in form led to {report_extra['form_login']}"
        )

        cookie_of = {pk: f"sessionid={sessions[pk]}" for pk in signed_in}
        lessons_of: dict[int, list[str]] = {}
        for lesson in data["lessons"].values():
            lessons_of.setdefault(lesson["training"], []).append(lesson["url"])
        per_learner_lessons, per_learner_progress, per_learner_same = [], [], []
        for pk in signed_in:
            urls = [u for t in data["enrolled"][pk] for u in lessons_of[t]]
            random.Random(pk).shuffle(urls)
            per_learner_lessons.append([(u, cookie_of[pk]) for u in urls])
            per_learner_same.append([(urls[0], cookie_of[pk])])
            per_learner_progress.append(
                [
                    (f"/formations/{data['slug_of'][t]}/progression/", cookie_of[pk])
                    for t in data["enrolled"][pk]
                ]
            )
        signed_markers = ["/formations/mes-formations/", "lesson__body", "lesson__complete"]
        c = args.connections
        scenarios = [
            (f"lesson, learner moving on (c={c})", _interleave(per_learner_lessons), signed_markers),
            (f"lesson, same lesson again (c={c})", _interleave(per_learner_same), signed_markers),
            (
                f"progress page (c={c})",
                _interleave(per_learner_progress),
                ["/formations/mes-formations/", "progress-summary__figure", "étape"],
            ),
            (
                f"preview lesson, anonymous (c={c})",
                [(les["url"], "") for les in data["lessons"].values() if les["preview"]],
                ["lesson__body", "Aperçu gratuit"],
            ),
        ]
        for name, pairs, markers in scenarios:
            results.append(rotation_scenario(server, name, pairs, markers, args, var_dir))
        report_extra["queries"] = queries
        report_extra["data"] = data["counts"]
        report_extra["signed_in"] = {
            "learners": len(signed_in),
            "trainings_each": {
                n: sum(1 for pk in signed_in if len(data["enrolled"][pk]) == n) for n in (1, 2, 3)
            },
            "how": "sessions created programmatically (SessionStore + auth keys); one more learner signed in "
            "through the allauth form as a check",
        }
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        failed_to_run = str(error)
        log(f"benchmark aborted: {error}")
    except KeyboardInterrupt:
        failed_to_run = "interrupted"
        log("interrupted")
    except Exception as error:  # noqa: BLE001 - a database error while filling: report, clean up, exit 2
        failed_to_run = f"{type(error).__name__}: {error}"
        log(f"benchmark aborted: {failed_to_run}")
    finally:
        whole = Result("server", "", 0, 0)
        if server is not None:
            server.stop()
            log("server stopped")
            scan_log(whole, server.log_since((0, 0)))
        if "django" in sys.modules:
            with contextlib.suppress(Exception):  # closing is best effort
                _django_close()
        if pg and not args.keep:
            try:
                pg_drop(*pg)
                log(f"dropped PostgreSQL database {pg[1]}")
            except Exception as error:  # noqa: BLE001
                log(f"could not drop {pg[1]}: {error}")
        if args.keep:
            log(f"kept: {var_dir}" + (f" and database {pg[1]}" if pg else ""))
        else:
            shutil.rmtree(var_dir, ignore_errors=True)

    uptime_after = _uptime()
    report = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join(
            [_python_shown(), "bench/courses_load.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "database": database,
        "machine": machine,
        "uptime_before": uptime_before,
        "uptime_after": uptime_after,
        "settings": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "connections": args.connections,
            "wrk_threads": 2,
            "wrk_timeout_s": WRK_TIMEOUT_S,
            "uvicorn_workers": args.workers,
            "learners": args.learners,
            "trainings": args.trainings,
            "signed_in": args.signed_in,
            "seed": args.seed,
        },
        **report_extra,
        "results": [asdict(r) for r in results],
        "server_log": {"db_locked": whole.db_locked, "odd_lines": whole.details.get("odd_log_lines", [])},
        "code_at_start": code_at_start,
        "code_at_end": git_state(),
        "aborted": failed_to_run,
    }
    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if args.json == "-":
        for r in report["results"]:
            r["details"].pop("wrk_output", None)
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_report(report, results)
    if failed_to_run:
        return 2
    return 0 if results and all(r.passed for r in results) else 1


def print_report(report: dict, results: list[Result]) -> None:
    machine = report["machine"]
    s = report["settings"]
    print()
    print(
        f"The French Bot — trainings load benchmark (issue 6), {report['date']}, database: {report['database']}"
    )
    print(
        f"machine: {machine.get('nproc')} CPU ({machine.get('cpu', '?')}), {machine.get('ram_gib', '?')} GiB RAM, "
        f"Python {machine['python']}, SQLite {machine['sqlite']}, {machine.get('wrk', 'wrk')}"
    )
    print(f"code: {report['code_at_end']}")
    if report["code_at_start"] != report["code_at_end"]:
        print(
            f"WARNING: the code changed during the run ({report['code_at_start']} -> {report['code_at_end']})"
        )
    print(f"before: {report['uptime_before']}")
    print(f"after:  {report['uptime_after']}")
    if data := report.get("data"):
        print(
            f"data: {data['trainings']} trainings × {MODULES_PER_TRAINING} modules × {LESSONS_PER_MODULE} lessons "
            f"(~{data['lesson_words_mean']} words each), {data['quizzes']} quizzes × {QUESTIONS_PER_QUIZ} questions, "
            f"{data['exercises']} exercises; {data['learners']} learners, {data['enrolments']} enrolments, "
            f"{data['lesson_completions']} lessons done, {data['quiz_attempts']} quiz attempts, "
            f"{data['certificates']} certificates (filled in {data['seconds']} s)"
        )
    if signed := report.get("signed_in"):
        print(
            f"signed in: {signed['learners']} learners (following 1/2/3 trainings: "
            f"{'/'.join(str(v) for v in signed['trainings_each'].values())}), {signed['how']}"
        )
    print(
        f"wrk -t2 -c{s['connections']}, {s['duration_s']} s per run after {s['warmup_s']} s warm-up, "
        f"--timeout {WRK_TIMEOUT_S}s; uvicorn {s['uvicorn_workers']} workers; 'other CPU' = share of the machine "
        "used by other processes during the run (the local PostgreSQL server's own share is shown apart)"
    )
    print()
    print_table(results)
    for r in results:
        extra = [f"{r.details.get('urls_in_rotation')} URLs, {r.details.get('distinct_cookies')} cookies"]
        if statuses := r.details.get("wrk_lua", {}).get("statuses"):
            extra.append("statuses " + ", ".join(f"{k}: {v}" for k, v in statuses.items() if v))
        if missing := r.details.get("wrk_lua", {}).get("missing_marker"):
            extra.append(f"{missing} 200s without the expected content")
        if r.details.get("first_problem"):
            extra.append(r.details["first_problem"])
        if r.details.get("postgres_cpu_pct"):
            extra.append(
                f"PostgreSQL server {r.details['postgres_cpu_pct']:.0f}% of the machine (not in 'other CPU')"
            )
        if r.details.get("odd_log_lines"):
            extra.append("log: " + " | ".join(r.details["odd_log_lines"][:3]))
        print(f"  {r.scenario}: " + "; ".join(extra))
    if queries := report.get("queries"):
        print()
        print("SQL queries per page (in-process, Django test client, whole middleware stack):")
        width = max(len(k) for k in queries)
        for name, q in queries.items():
            ms = f"  {q['ms_median']:.1f} ms in-process (median of 20)" if "ms_median" in q else ""
            print(f"  {name:<{width}}  {q['queries']:>3}{ms}")
    if report["server_log"]["odd_lines"]:
        print("server log: " + " | ".join(report["server_log"]["odd_lines"][:5]))
    if report["aborted"]:
        print(f"\nABORTED: {report['aborted']}")


if __name__ == "__main__":
    sys.exit(main())
