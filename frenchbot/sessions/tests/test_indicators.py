"""A training's public page (Qualiopi, criterion 1): the practical information, the result indicators computed from
what was recorded and dated, hidden below the threshold, and the next sessions with their seats left, kept fresh
in the copy shared by visitors."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from frenchbot.courses.models import Training
from frenchbot.courses.tests.factories import (
    EnrolmentFactory,
    ModuleFactory,
    QuizAttemptFactory,
    QuizFactory,
    TrainingFactory,
)
from frenchbot.sessions.models import IndicatorSnapshot, Registration
from frenchbot.sessions.services.indicators import indicator_snapshot_save, indicators_compute
from frenchbot.sessions.tasks import indicators_compute as indicators_compute_task

from .factories import (
    AttendanceFactory,
    HalfDayFactory,
    RegistrationFactory,
    SurveyResponseFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 6)


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _session(*, training, dates, **fields):
    session = TrainingSessionFactory(training=training, **fields)
    half_days = [
        HalfDayFactory(session=session, date=day, period=period) for day in dates for period in ("am", "pm")
    ]
    return session, half_days


def _attend(registration, half_days, statuses):
    for half_day, status in zip(half_days, statuses, strict=True):
        AttendanceFactory(registration=registration, half_day=half_day, status=status)


def test_indicators_are_computed_from_what_was_recorded():
    training = TrainingFactory()
    first_quiz = QuizFactory(module=ModuleFactory(training=training, order=1))
    final = QuizFactory(module=ModuleFactory(training=training, order=2), order=50)
    QuizFactory(module=final.module, order=90, is_published=False)  # a draft after it is not the final quiz

    # E-learning: 4 enrolments (one no longer active), 2 finished. Final quiz: the first passes on its second
    # try, the second fails; the third tried only the first quiz.
    done, failing, other, _idle = (
        EnrolmentFactory(training=training, completed_at=timezone.now()),
        EnrolmentFactory(training=training),
        EnrolmentFactory(training=training, is_active=False),
        EnrolmentFactory(training=training, completed_at=timezone.now(), is_active=False),
    )
    QuizAttemptFactory(enrolment=done, quiz=final, number=1, score=40, passed=False)
    QuizAttemptFactory(enrolment=done, quiz=final, number=2, score=80, passed=True)
    QuizAttemptFactory(enrolment=failing, quiz=final, number=1, score=50, passed=False)
    QuizAttemptFactory(enrolment=other, quiz=first_quiz, number=1, score=100, passed=True)

    # A session over (2 days, 4 half-days): present 4/4, present 3/4 (75 %, under 80 %), late 4/4; one cancelled.
    session, half_days = _session(training=training, dates=[_days_ago(9), _days_ago(8)])
    all_there, one_absent, late = (RegistrationFactory(session=session) for _ in range(3))
    _attend(all_there, half_days, ["present"] * 4)
    _attend(one_absent, half_days, ["present", "present", "absent", "present"])
    _attend(late, half_days, ["late"] * 4)
    RegistrationFactory(session=session, status=Registration.Status.CANCELLED)
    SurveyResponseFactory(registration=all_there, rating=5)
    SurveyResponseFactory(registration=one_absent, rating=4)
    SurveyResponseFactory(registration=late, rating=4)
    SurveyResponseFactory(registration=late, kind="cold", rating=1)  # cold answers are not the satisfaction

    # Not counted: a session to come, and a cancelled one.
    upcoming, _ = _session(training=training, dates=[_days_ago(-10)])
    RegistrationFactory(session=upcoming)
    cancelled, _ = _session(training=training, dates=[_days_ago(20)], cancelled_at=timezone.now())
    RegistrationFactory(session=cancelled)

    indicators = indicators_compute(training=training, on=timezone.localdate())

    # 4 enrolments + 3 session learners = 7; finished: 2 + 2 = 4 → 57 %; final quiz: 1 of 2 → 50 %;
    # satisfaction: (5 + 4 + 4) / 3 = 4.33 → 4.3 on 3 answers.
    assert indicators == {
        "learners": 7,
        "completion_rate": 57,
        "success_rate": 50,
        "satisfaction": Decimal("4.3"),
        "satisfaction_answers": 3,
    }
    # On the session's first day it was not over, and no one had enrolled yet.
    assert indicators_compute(training=training, on=_days_ago(9))["learners"] == 0

    today = timezone.localdate()
    indicator_snapshot_save(training=training, on=today)
    indicator_snapshot_save(training=training, on=today)
    snapshot = IndicatorSnapshot.objects.get(training=training)
    assert (snapshot.computed_on, snapshot.learners, snapshot.satisfaction) == (today, 7, Decimal("4.3"))


def test_the_daily_job_computes_every_published_training_for_today():
    published = TrainingFactory()
    TrainingFactory(is_published=False)
    assert indicators_compute_task.enqueue().return_value == 1
    snapshot = IndicatorSnapshot.objects.get()
    assert snapshot.training == published and snapshot.computed_on == timezone.localdate()
    assert snapshot.learners == 0 and snapshot.completion_rate is None


def _snapshot(training, learners):
    return IndicatorSnapshot.objects.create(
        training=training,
        computed_on=TODAY,
        learners=learners,
        completion_rate=88,
        success_rate=91,
        satisfaction=Decimal("4.6"),
        satisfaction_answers=23,
    )


def test_indicators_show_dated_from_the_threshold_on(client, settings):
    settings.SESSIONS_INDICATORS_MIN_LEARNERS = 5
    training = TrainingFactory()
    IndicatorSnapshot.objects.create(
        training=training, computed_on=TODAY - datetime.timedelta(days=1), learners=50
    )
    _snapshot(training, learners=4)  # the latest counts

    html = client.get(training.get_absolute_url()).content.decode()
    assert "Indicateurs au" not in html and "88\xa0%" not in html
    assert "Indicateurs publiés à partir de 5 stagiaires." in html

    settings.SESSIONS_INDICATORS_MIN_LEARNERS = 4
    html = client.get(training.get_absolute_url()).content.decode()
    assert (
        'Indicateurs au <time datetime="2026-12-06">6 décembre 2026</time>\xa0: 4 stagiaires, 88\xa0% ont terminé, '
        "91\xa0% de réussite au quiz final, satisfaction 4,6/5 (23 réponses)."
    ) in html
    assert "Comment ces indicateurs sont calculés" in html


def test_the_page_gives_the_public_information_and_the_next_sessions(client, settings):
    settings.SESSIONS_DISABILITY_CONTACT = ""
    settings.CONTACT_EMAIL = "bonjour@exemple.fr"
    training = TrainingFactory(
        access_delay="Accès immédiat après l'inscription",
        format_details="En ligne, à votre rythme",
        accessibility="Leçons lisibles avec un lecteur d'écran.",
        assessment_methods="Un quiz à la fin de chaque module.",
    )
    in_paris, _ = _session(training=training, dates=[_days_ago(-20), _days_ago(-19)], seats=8)
    RegistrationFactory(session=in_paris)
    RegistrationFactory(session=in_paris, status=Registration.Status.CANCELLED)
    full, _ = _session(training=training, dates=[_days_ago(-40)], seats=1, format="remote", place="")
    RegistrationFactory(session=full)
    # Not offered: one company's session, a cancelled one, an unpublished one, one that has started.
    _session(training=training, dates=[_days_ago(-30)], kind="intra", company_name="PME Exemple")
    _session(training=training, dates=[_days_ago(-31)], cancelled_at=timezone.now())
    _session(training=training, dates=[_days_ago(-32)], is_published=False)
    _session(training=training, dates=[_days_ago(1), _days_ago(-1)])

    html = client.get(training.get_absolute_url()).content.decode()

    assert "Informations pratiques" in html
    for text in (
        "Aucun prérequis",
        "Accès immédiat après l&#x27;inscription",
        "En ligne, à votre rythme",
        "290 € TTC",
        "Un quiz à la fin de chaque module.",
        "Leçons lisibles avec un lecteur d&#x27;écran.",
        'Référent handicap\xa0: <a href="mailto:bonjour@exemple.fr">bonjour@exemple.fr</a>',
    ):
        assert text in html, text
    assert html.count("Prochaines sessions") == 1
    assert html.count('class="card"') == 2
    assert "7 places restantes" in html
    assert f'href="/sessions/{in_paris.pk}/inscription/"' in html
    assert "12 rue de l&#x27;Exemple, 75011 Paris" in html
    assert "Complet" in html and f"/sessions/{full.pk}/inscription/" not in html

    # The training's own contact comes first, then the site's.
    settings.SESSIONS_DISABILITY_CONTACT = "referent@exemple.fr"
    assert "mailto:referent@exemple.fr" in client.get(training.get_absolute_url()).content.decode()
    Training.objects.filter(pk=training.pk).update(accessibility_contact="handicap@exemple.fr")
    assert "mailto:handicap@exemple.fr" in client.get(training.get_absolute_url()).content.decode()


def test_the_copy_kept_for_visitors_shows_a_new_registration_at_once(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 300
    settings.FRAGMENT_CACHE_SECONDS = 3600
    training = TrainingFactory(title="Formation gardée")
    session, _ = _session(training=training, dates=[_days_ago(-20)], seats=3)
    url = training.get_absolute_url()
    assert "3 places restantes" in client.get(url).content.decode()
    # A change that no signal reports is not seen: the page is served from the copy.
    Training.objects.filter(pk=training.pk).update(title="Titre changé en douce")
    assert "Formation gardée" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        RegistrationFactory(session=session)
    html = client.get(url).content.decode()
    assert "2 places restantes" in html and "3 places restantes" not in html

    # So does the day's snapshot of the indicators.
    with django_capture_on_commit_callbacks(execute=True):
        _snapshot(training, learners=12)
    assert "12 stagiaires" in client.get(url).content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_training_page_with_its_sessions_and_indicators_passes_the_accessibility_checks(axe_page):
    training = TrainingFactory(prerequisites="Savoir envoyer un e-mail.")
    session, _ = _session(training=training, dates=[_days_ago(-20)], seats=2)
    RegistrationFactory(session=session)
    _session(training=training, dates=[_days_ago(-27)], seats=1, format="remote", place="")[
        0
    ].registrations.create(name="Alice Exemple", email="alice@exemple.fr")
    _snapshot(training, learners=42)

    axe_page.goto(training.get_absolute_url())
    assert axe_page.get_by_text("Indicateurs au 6 décembre 2026").is_visible()
    assert axe_page.get_by_role("link", name="S'inscrire").count() == 1
    assert axe_page.get_by_text("Complet", exact=True).is_visible()
    assert axe_page.violations() == []


def test_a_session_learner_who_also_follows_the_e_learning_counts_once():
    training = TrainingFactory()
    session, half_days = _session(training=training, dates=[_days_ago(10)])
    enrolment = EnrolmentFactory(training=training)
    registration = RegistrationFactory(session=session, user=enrolment.user)
    _attend(registration, half_days, ["present", "present"])
    RegistrationFactory(session=session)  # never came

    figures = indicators_compute(training=training, on=timezone.localdate())
    assert figures["learners"] == 2
    assert figures["completion_rate"] == 50  # the one who came, out of two people
