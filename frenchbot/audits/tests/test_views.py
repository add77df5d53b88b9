import re
import uuid

import pytest
from django.urls import reverse

from frenchbot.audits.models import Audit
from frenchbot.leads.models import Lead

from .conftest import answers_for

URL = "/audit/particulier/"


def post_data(small, *keys, **extra) -> dict:
    data = {f"q{q}": o for q, o in answers_for(small, *keys).items()}
    data.update(extra)
    return data


def test_urls_are_french_and_named():
    assert reverse("audits:start") == "/audit/"
    assert reverse("audits:questionnaire", args=["entreprise"]) == "/audit/entreprise/"


def test_start_lists_the_tracks(client, small):
    response = client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Audit test" in html and 'href="/audit/particulier/"' in html
    assert "audits/audits.css" in html


def test_questionnaire_form_is_plain_html_with_fieldsets(client, small):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<fieldset") == 4  # three questions and the contact block
    assert "<legend>" in html and "csrfmiddlewaretoken" in html
    q1 = small["questions"][0]
    assert f'name="q{q1.id}"' in html and 'type="radio"' in html


def test_unknown_track_is_404(client, small):
    assert client.get("/audit/inconnu/").status_code == 404
    assert client.get("/audit/entreprise/").status_code == 404  # no business questionnaire in the fixture


def test_half_filled_keeps_answers_and_says_what_is_missing(client, small):
    data = post_data(small, "a1", "b1", "c0")
    q3 = small["questions"][2]
    del data[f"q{q3.id}"]
    data["email"] = "garde@example.fr"
    response = client.post(URL, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Répondez à cette question." in html
    assert f'href="#question-{q3.id}"' in html
    a1, b1 = small["options"]["a1"], small["options"]["b1"]
    assert re.search(rf'value="{a1.id}"\s+checked', html)
    assert re.search(rf'value="{b1.id}"\s+checked', html)
    assert 'value="garde@example.fr"' in html
    assert Audit.objects.count() == 0


def test_forged_option_id_gets_a_french_error_not_a_500(client, small):
    q1 = small["questions"][0]
    for forged in [str(small["options"]["c1"].id), "<script>", "99999999999", ""]:
        data = post_data(small, "a1", "b1", "c0")
        data[f"q{q1.id}"] = forged
        response = client.post(URL, data)
        assert response.status_code == 422, forged
    assert (
        "ne correspond pas"
        in client.post(
            URL, {**post_data(small, "a1", "b1", "c0"), f"q{q1.id}": small["options"]["c1"].id}
        ).content.decode()
    )
    response = client.post(URL, {**post_data(small, "a1", "b1", "c0"), "q424242": small["options"]["a1"].id})
    assert response.status_code == 422
    assert Audit.objects.count() == 0


def test_email_without_consent_keeps_everything(client, small):
    response = client.post(URL, post_data(small, "a1", "b1", "c0", email="marie@example.fr"))
    assert response.status_code == 422
    assert "Cochez la case de consentement" in response.content.decode()
    assert Audit.objects.count() == 0 and Lead.objects.count() == 0


def test_valid_submission_redirects_to_the_report(client, small):
    response = client.post(URL, post_data(small, "a1", "b1", "c0", email="marie@example.fr", consent="on"))
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert response["Location"] == f"/audit/resultat/{audit.id}/"
    assert Lead.objects.get(email="marie@example.fr").source == "audit"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Pratiquant" in html and "63</strong>/100" in html
    assert "83/100" in html and "0/100" in html
    assert "<table" in html and "Données" in html and "Make" in html
    assert f'href="/rendez-vous/?audit={audit.id}"' in html
    assert "noindex" in html


def test_report_only_by_its_uuid(client, small):
    assert client.get(f"/audit/resultat/{uuid.uuid4()}/").status_code == 404
    assert client.get("/audit/resultat/1/").status_code == 404
    assert client.get("/audit/resultat/pas-un-uuid/").status_code == 404


def test_email_afterwards_on_the_report(client, small):
    client.post(URL, post_data(small, "a1", "b1", "c0"))
    audit = Audit.objects.get()
    url = f"/audit/resultat/{audit.id}/"
    refused = client.post(url, {"email": "paul@example.fr"})
    assert refused.status_code == 422 and "Cochez la case" in refused.content.decode()
    assert 'value="paul@example.fr"' in refused.content.decode()
    invalid = client.post(url, {"email": "paul@", "consent": "on"})
    assert invalid.status_code == 422
    assert Lead.objects.count() == 0
    response = client.post(url, {"email": "paul@example.fr", "consent": "on"})
    assert response.status_code == 302
    assert Lead.objects.filter(email="paul@example.fr", source="audit").exists()
    assert "votre rapport part par e-mail" in client.get(response["Location"]).content.decode()


def test_submissions_are_rate_limited_per_ip(client, small, settings):
    settings.AUDIT_SUBMIT_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(URL, post_data(small, "a1", "b1", "c0")).status_code == 302
    response = client.post(URL, post_data(small, "a1", "b1", "c0"))
    assert response.status_code == 429
    assert "vos réponses sont conservées" in response.content.decode()
    assert Audit.objects.count() == 2


@pytest.mark.parametrize("path", ["/", "/blog/"])
def test_site_links_point_to_the_audit(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert 'href="/audit/"' in response.content.decode()


def test_demo_command_loads_audits_once_and_pages_render(client, db, tmp_path, settings):
    from io import StringIO

    from django.core.management import call_command

    from frenchbot.audits.models import Opportunity, Question

    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", quiet_login=True, stdout=out)
    assert "Audit IA : 2 questionnaires" in out.getvalue()
    counts = (Question.objects.count(), Opportunity.objects.count())
    call_command("demo", quiet_login=True, stdout=StringIO())
    assert (Question.objects.count(), Opportunity.objects.count()) == counts
    for slug in ["particulier", "entreprise"]:
        response = client.get(f"/audit/{slug}/")
        assert response.status_code == 200
        assert response.content.decode().count("<fieldset") >= 11
