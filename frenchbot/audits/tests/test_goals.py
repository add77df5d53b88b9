"""The goals of the free audit: « audit_started » when the questions are shown to a visitor (the questionnaire is
one form sent at once: nothing is written before), « audit_completed » when it is scored and saved,
« report_sent » when the worker has e-mailed the report."""

import pytest
from django.test import Client

from frenchbot.analytics.goals import subject_key
from frenchbot.analytics.models import Goal
from frenchbot.audits.models import Audit
from frenchbot.audits.tasks import audit_finish

from .conftest import answers_for

pytestmark = pytest.mark.django_db

URL = "/audit/particulier/"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def visitor():
    return Client(HTTP_USER_AGENT=BROWSER)


def _answers(small, *keys, **extra) -> dict:
    data = {f"q{q}": o for q, o in answers_for(small, *keys).items()}
    data.update(extra)
    return data


def test_the_questions_shown_to_a_visitor_count_as_started(
    visitor, small, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.get(URL).status_code == 200
    [goal] = Goal.objects.filter(name="audit_started")
    assert goal.visitor is not None
    # No audit exists before the answers are sent: the start is about nothing in particular.
    assert goal.subject == "" and goal.follows == ""


def test_what_nobody_sees_is_not_a_start(
    visitor, small, django_user_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.head(URL).status_code == 200
        assert visitor.get(URL, HTTP_SEC_PURPOSE="prefetch").status_code == 200
        assert visitor.get("/audit/inconnu/").status_code == 404
        assert (
            Client(HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)").get(URL).status_code
            == 200
        )
        staff = Client(HTTP_USER_AGENT=BROWSER)
        staff.force_login(django_user_model.objects.create_user("camille", password="x", is_staff=True))
        assert staff.get(URL).status_code == 200
    assert not Goal.objects.exists()


def test_a_form_sent_back_with_errors_records_nothing(visitor, small, django_capture_on_commit_callbacks):
    data = _answers(small, "a1", "b1", "c0")
    del data[f"q{small['questions'][2].id}"]
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.post(URL, data).status_code == 422
    assert not Audit.objects.exists()
    assert not Goal.objects.exists()


def test_a_completed_audit_is_one_goal_about_it(visitor, small, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(URL, _answers(small, "a1", "b1", "c0"))
    assert response.status_code == 302
    audit = Audit.objects.get()
    [goal] = Goal.objects.all()  # sending the answers is not a second start
    assert (goal.name, goal.subject) == ("audit_completed", subject_key(audit))
    assert goal.visitor is not None


def test_the_report_e_mailed_by_the_worker_counts_once(
    visitor, small, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(URL, _answers(small, "a1", "b1", "c0", email="lea@exemple.fr", consent="on"))
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert [m.to for m in mailoutbox] == [["lea@exemple.fr"]]
    with django_capture_on_commit_callbacks(execute=True):
        audit_finish.enqueue(audit_id=str(audit.id))  # a retried task sends nothing more
    assert len(mailoutbox) == 1
    [sent] = Goal.objects.filter(name="report_sent")
    # The worker sent it, not the visitor: it takes the audit's attribution later.
    assert (sent.subject, sent.visitor) == (subject_key(audit), None)
    assert Goal.objects.filter(name="audit_completed", subject=subject_key(audit)).count() == 1


def test_no_address_no_report_goal(small, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_USER_AGENT=BROWSER).post(URL, _answers(small, "a1", "b1", "c0"))
        audit_finish.enqueue(audit_id=str(Audit.objects.get().id))
    assert mailoutbox == []
    assert not Goal.objects.filter(name="report_sent").exists()


def test_a_report_that_fails_to_leave_is_not_counted(small, settings, django_capture_on_commit_callbacks):
    # Nothing listens on the discard port: the mail server refuses the connection.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    client = Client(HTTP_USER_AGENT=BROWSER)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _answers(small, "a1", "b1", "c0", email="lea@exemple.fr", consent="on"))
    audit = Audit.objects.get()
    assert audit.report_sent_at is None
    assert not Goal.objects.filter(name="report_sent").exists()
    assert Goal.objects.filter(name="audit_completed").count() == 1
