"""`frenchbot demo`: the demo is loaded in an empty database only (what `make run` does at each start), its
administrator's password is shown once, and `--remove` takes the demo out before going live."""

import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from frenchbot.assistant.models import FaqEntry
from frenchbot.blog.models import Article
from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.booking.models import EventType, TeamMember
from frenchbot.courses.models import AccessCode, Training

pytestmark = pytest.mark.django_db

DEMO_SLUG = "offre-elon-musk-openai-97-milliards"


def _start(**options) -> str:
    out = StringIO()
    call_command("demo", if_empty=True, stdout=out, **options)
    return out.getvalue()


def test_the_first_start_loads_the_demo_and_shows_the_password_once(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    first = _start()
    assert Article.objects.filter(slug=DEMO_SLUG).exists() and Training.objects.exists()
    password = (tmp_path / "admin_password").read_text()
    assert password in first
    assert stat.S_IMODE((tmp_path / "admin_password").stat().st_mode) == 0o600
    assert get_user_model().objects.get(username="admin").check_password(password)
    # Later starts add, restore and print nothing.
    Article.objects.filter(slug=DEMO_SLUG).delete()
    get_user_model().objects.filter(username="admin").delete()
    assert _start() == ""
    assert not Article.objects.filter(slug=DEMO_SLUG).exists()
    assert not get_user_model().objects.filter(username="admin").exists()


def test_an_explicit_demo_adds_what_is_missing_but_never_prints_an_old_password(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    _start()
    out = StringIO()
    call_command("demo", stdout=out)
    assert "mot de passe" not in out.getvalue()


def test_remove_takes_the_demo_out_and_keeps_what_the_team_wrote(tmp_path, settings, client):
    settings.VAR_DIR = tmp_path
    _start()
    ours = ArticleFactory(title="Notre premier vrai article")
    out = StringIO()
    call_command("demo", remove=True, stdout=out)
    assert "articles et 4 illustrations de démonstration retirés" in out.getvalue()
    assert list(Article.objects.all()) == [ours]
    assert not Training.objects.exists()
    assert not AccessCode.objects.filter(code__in=["DECOUVERTE-CHATGPT", "DECOUVERTE-PME"]).exists()
    assert not FaqEntry.objects.exists()
    assert (
        not TeamMember.objects.exists() and not get_user_model().objects.filter(username="camille").exists()
    )
    # The company's own calls stay, to be given to real team members.
    assert EventType.objects.exists()
    # The admin account stays: it is the operator's.
    assert get_user_model().objects.filter(username="admin").exists()
    assert client.get(f"/blog/{DEMO_SLUG}/").status_code == 404
    again = StringIO()
    call_command("demo", remove=True, stdout=again)
    assert "Aucun contenu de démonstration" in again.getvalue()


def test_a_demo_training_with_learners_is_kept_unpublished(tmp_path, settings):
    from frenchbot.courses.tests.factories import EnrolmentFactory

    settings.VAR_DIR = tmp_path
    _start()
    training = Training.objects.order_by("pk").first()
    EnrolmentFactory(training=training)
    out = StringIO()
    call_command("demo", remove=True, stdout=out)
    training.refresh_from_db()
    assert not training.is_published and "inscrits" in out.getvalue()
