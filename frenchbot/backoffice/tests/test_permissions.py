"""Least privilege: each of the team's groups (made by migration accounts 0001) reaches the admin and back-office
pages its work needs and gets the French 403 page everywhere else; superusers reach everything."""

import pytest
from django.test import Client

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.leads.models import LeadEvent
from frenchbot.leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

PAGES = {
    # back-office
    "leads": "/equipe/prospects/",
    "export": "/equipe/prospects/export.csv",
    "bookings": "/equipe/rendez-vous/",
    "unanswered": "/equipe/questions-sans-reponse/",
    "newsletter": "/equipe/lettre/",
    "subscribers_export": "/equipe/lettre/abonnes.csv",
    "events": "/equipe/evenements/",
    "statistics": "/equipe/statistiques/",
    # admin
    "articles": "/admin/blog/article/",
    "categories": "/admin/blog/category/",
    "faq": "/admin/assistant/faqentry/",
    "comments": "/admin/blog/comment/",
    "polls": "/admin/blog/poll/",
    "admin_leads": "/admin/leads/lead/",
    "admin_bookings": "/admin/booking/booking/",
    "audits": "/admin/audits/audit/",
    "trainings": "/admin/courses/training/",
    "lessons": "/admin/courses/lesson/",
    "submissions": "/admin/courses/exercisesubmission/",
    "enrolments": "/admin/courses/enrolment/",
    "users": "/admin/auth/user/",
    "groups": "/admin/auth/group/",
}

REACHES = {
    "Rédaction": {"articles", "categories", "faq", "newsletter", "statistics"},
    "Modération": {"unanswered", "comments", "polls", "articles", "faq"},
    "Commercial": {
        "leads",
        "export",
        "bookings",
        "admin_leads",
        "admin_bookings",
        "audits",
        "newsletter",
        "subscribers_export",
        "events",
        "statistics",
    },
    "Formation": {"trainings", "lessons", "submissions", "enrolments", "events"},
}

CASES = [(group, page) for group in REACHES for page in PAGES]


def member_of(django_user_model, group: str) -> Client:
    user = django_user_model.objects.create_user("lea", "lea@exemple.fr", "x", is_staff=True)
    user.groups.add(staff_group(group))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("group", "page"), CASES, ids=[f"{g}-{p}" for g, p in CASES])
def test_each_group_reaches_what_its_work_needs_and_nothing_else(django_user_model, group, page):
    client = member_of(django_user_model, group)
    response = client.get(PAGES[page])
    if page in REACHES[group]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Accès refusé" in response.content.decode()


@pytest.mark.parametrize(
    ("group", "lands_on"),
    [
        ("Commercial", None),
        ("Modération", "/equipe/questions-sans-reponse/"),
        ("Rédaction", "/equipe/lettre/"),
        ("Formation", "/equipe/evenements/"),
    ],
)
def test_the_back_office_home_opens_on_the_groups_first_section(django_user_model, group, lands_on):
    response = member_of(django_user_model, group).get("/equipe/")
    if lands_on is None:
        assert response.status_code == 200 and "Tableau des prospects" in response.content.decode()
    elif lands_on == 403:
        assert response.status_code == 403
    else:
        assert response.status_code == 302 and response["Location"] == lands_on


def test_a_moderator_cannot_write_in_a_leads_file(django_user_model):
    lead = LeadFactory()
    client = member_of(django_user_model, "Modération")
    response = client.post(f"/equipe/prospects/{lead.pk}/note/", {"text": "Rappeler lundi"})
    assert response.status_code == 403
    assert not LeadEvent.objects.filter(lead=lead, kind=LeadEvent.Kind.NOTE).exists()


def test_the_menu_shows_only_the_sections_a_moderator_may_open(django_user_model):
    html = member_of(django_user_model, "Modération").get("/equipe/questions-sans-reponse/").content.decode()
    assert "Questions sans réponse" in html
    assert "Liste des prospects" not in html and "Rendez-vous à venir" not in html
    # The site's own menu and footer name the public letter and events pages; the team's menu does not offer
    # their back-office pages to a moderator.
    assert 'href="/equipe/lettre/"' not in html and 'href="/equipe/evenements/"' not in html


def test_the_menu_leads_each_group_to_its_new_sections(django_user_model):
    html = member_of(django_user_model, "Commercial").get("/equipe/").content.decode()
    assert 'href="/equipe/lettre/"' in html and 'href="/equipe/evenements/"' in html
    html = member_of_again(django_user_model, "Formation").get("/equipe/evenements/").content.decode()
    assert 'href="/equipe/evenements/" aria-current="page"' in html and 'href="/equipe/lettre/"' not in html


def member_of_again(django_user_model, group: str) -> Client:
    user = django_user_model.objects.create_user("theo", "theo@exemple.fr", "x", is_staff=True)
    user.groups.add(staff_group(group))
    client = Client()
    client.force_login(user)
    return client


def test_a_superuser_reaches_every_page(django_user_model):
    user = django_user_model.objects.create_superuser("chef", "chef@exemple.fr", "x")
    client = Client()
    client.force_login(user)
    for url in PAGES.values():
        assert client.get(url).status_code == 200, url


def test_staff_in_no_group_reach_no_back_office_page(django_user_model):
    user = django_user_model.objects.create_user("nouveau", "n@exemple.fr", "x", is_staff=True)
    client = Client()
    client.force_login(user)
    for url in (
        "/equipe/",
        "/equipe/prospects/",
        "/equipe/questions-sans-reponse/",
        "/equipe/lettre/",
        "/equipe/evenements/",
    ):
        assert client.get(url).status_code == 403, url
