"""The report as a PDF, by e-mail with the PDF attached, and the section a language model adds when one is set."""

import io
import socket
from email.header import decode_header, make_header

import pypdf
import pytest
from django.urls import reverse

from frenchbot.audits import reports, services
from frenchbot.audits.models import Audit

from .conftest import answers_for

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    # Extraction keeps non-breaking spaces; a reader sees them as spaces.
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")


def _submit(small, *, email="", capture=None, **kwargs) -> Audit:
    def submit():
        return services.audit_submit(
            questionnaire=small["questionnaire"],
            answers=answers_for(small, "a1", "b0", "c0"),
            email=email,
            consent=bool(email),
            consent_text="J'accepte de recevoir mon rapport." if email else "",
        )

    if capture is None:
        return submit()
    with capture(execute=True):
        return submit()


def _attachments(message) -> dict[str, bytes]:
    return {
        part.get_filename(): part.get_payload(decode=True) for part in message.walk() if part.get_filename()
    }


def test_the_pdf_says_what_the_result_page_says(small):
    audit = _submit(small)
    text = _pdf_text(reports.audit_report_pdf(audit=audit))
    assert "Votre rapport d'audit IA" in text
    assert f"score global {audit.overall}/100" in text
    assert "Usage de l'IA aujourd'hui" in text and "Données" in text
    for opportunity in audit.report["opportunities"]:
        assert opportunity["task"] in text
    # French dates, and no AI section with the extractive default.
    assert audit.created_at.strftime("%Y") in text
    assert "rédigée par une IA" not in text


def test_the_pdf_is_downloaded_from_the_result_page(client, small):
    audit = _submit(small)
    page = client.get(reverse("audits:result", args=[audit.id])).content.decode()
    pdf_url = reverse("audits:report_pdf", args=[audit.id])
    assert pdf_url in page
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="rapport-audit-ia-')
    assert "Vos opportunités prioritaires" in _pdf_text(response.content)


def test_an_unknown_report_has_no_pdf(client):
    response = client.get(reverse("audits:report_pdf", args=["6f1c7a57-0000-4000-8000-000000000000"]))
    assert response.status_code == 404


def test_the_report_is_emailed_with_its_pdf_once(small, smtp_server, django_capture_on_commit_callbacks):
    audit = _submit(small, email="Lea@Exemple.fr", capture=django_capture_on_commit_callbacks)
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "lea@exemple.fr"
    assert str(make_header(decode_header(message["Subject"]))) == (
        f"Votre rapport d'audit IA\u00a0: {audit.overall}/100"
    )
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert f"/audit/resultat/{audit.id}/" in body.decode()
    files = _attachments(message)
    assert list(files) == [f"rapport-audit-ia-{audit.created_at:%Y-%m-%d}.pdf"]
    assert "Vos scores par dimension" in _pdf_text(next(iter(files.values())))
    audit.refresh_from_db()
    assert audit.report_sent_at is not None

    # The task run again (a retried worker) sends nothing more.
    from frenchbot.audits.tasks import audit_finish

    audit_finish.enqueue(audit_id=str(audit.id))
    assert len(smtp_server) == 1


def test_an_email_given_on_the_result_page_gets_the_report(
    client, small, smtp_server, django_capture_on_commit_callbacks
):
    audit = _submit(small)
    assert smtp_server == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("audits:result", args=[audit.id]), {"email": "marc@exemple.fr", "consent": "on"}
        )
    assert response.status_code == 302
    assert [m["To"] for m in smtp_server] == ["marc@exemple.fr"]
    assert "votre rapport part par e-mail" in client.get(response["Location"]).content.decode()


def test_no_email_without_an_address(small, smtp_server, django_capture_on_commit_callbacks):
    _submit(small, capture=django_capture_on_commit_callbacks)
    assert smtp_server == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _openai_provider(settings, *, base_url: str, api_key: str, model: str) -> None:
    settings.LLM_PROVIDERS = {
        "default": {
            "BACKEND": "frenchbot.llm.providers.openai_compatible.OpenAICompatibleProvider",
            "OPTIONS": {
                "base_url": base_url,
                "api_key": api_key,
                "model": model,
                "timeout": 120.0,
                "max_retries": 0,
                "display_name": "SmolLM2 (test)",
            },
        },
        "extractive": {"BACKEND": "frenchbot.llm.providers.extractive.ExtractiveProvider", "OPTIONS": {}},
    }
    settings.LLM_DEFAULT_PROVIDER = "default"


def test_a_configured_model_adds_a_section_marked_as_written_by_ai(
    client, small, settings, llama_server, smtp_server, django_capture_on_commit_callbacks
):
    _openai_provider(
        settings, base_url=llama_server.base_url, api_key=llama_server.api_key, model=llama_server.model
    )
    audit = _submit(small, email="lea@exemple.fr", capture=django_capture_on_commit_callbacks)
    audit.refresh_from_db()
    assert audit.ai_text.strip()
    assert audit.ai_model == "SmolLM2 (test)"

    page = client.get(reverse("audits:result", args=[audit.id])).content.decode()
    assert "L'analyse de l'IA" in page
    assert "Section rédigée par une IA (SmolLM2 (test))" in page
    # The e-mailed PDF carries the same section, with the same warning.
    text = _pdf_text(next(iter(_attachments(smtp_server[0]).values())))
    assert "Section rédigée par une IA" in text


def test_a_failing_model_leaves_the_report_complete(
    small, settings, smtp_server, django_capture_on_commit_callbacks
):
    _openai_provider(settings, base_url=f"http://127.0.0.1:{_closed_port()}/v1", api_key="x", model="absent")
    audit = _submit(small, email="lea@exemple.fr", capture=django_capture_on_commit_callbacks)
    audit.refresh_from_db()
    assert audit.ai_text == ""
    # The report still leaves, complete, without the model's section.
    assert len(smtp_server) == 1
    assert "Vos opportunités prioritaires" in _pdf_text(next(iter(_attachments(smtp_server[0]).values())))


def test_the_extractive_default_writes_no_section_and_announces_none(client, small):
    audit = _submit(small)
    assert reports.ai_section_available() is False
    page = client.get(reverse("audits:result", args=[audit.id])).content.decode()
    assert "L'analyse de l'IA" not in page


def _count_renders(monkeypatch) -> list[str]:
    """Wrap the PDF renderer: each real render is appended to the returned list."""
    calls: list[str] = []
    real = reports.pdf_render

    def counting(**kwargs):
        calls.append(kwargs["template_name"])
        return real(**kwargs)

    monkeypatch.setattr(reports, "pdf_render", counting)
    return calls


def test_the_pdf_is_rendered_once_and_again_only_when_the_audit_changes(client, small, monkeypatch):
    renders = _count_renders(monkeypatch)
    audit = _submit(small)
    url = reverse("audits:report_pdf", args=[audit.id])
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert len(renders) == 1
    # The model's section arrives: the report says more, so the next download is a fresh PDF that says it.
    audit.ai_text = "Commencez par les comptes rendus de réunion."
    audit.ai_model = "Modèle test"
    audit.save()
    third = client.get(url)
    assert len(renders) == 2
    assert "comptes rendus de réunion" in _pdf_text(third.content)


def test_a_burst_of_downloads_that_must_render_is_refused_in_french(client, small, settings, monkeypatch):
    settings.PDF_RENDER_RATE_LIMIT = 2
    renders = _count_renders(monkeypatch)
    audits = [_submit(small) for _ in range(3)]
    for audit in audits[:2]:
        assert client.get(reverse("audits:report_pdf", args=[audit.id])).status_code == 200
    refused = client.get(reverse("audits:report_pdf", args=[audits[2].id]))
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert "Trop de téléchargements" in refused.content.decode()
    assert len(renders) == 2
    # A PDF already kept is still served: the limit only counts renders.
    assert client.get(reverse("audits:report_pdf", args=[audits[0].id])).status_code == 200


def test_the_report_goes_to_one_address_only(client, small, smtp_server, django_capture_on_commit_callbacks):
    """Anyone holding a result link could otherwise make the site mail the report to any address, again and
    again: the report goes to the address given first, and to no other."""
    from frenchbot.leads.models import Lead

    audit = _submit(small)
    url = reverse("audits:result", args=[audit.id])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"email": "marc@exemple.fr", "consent": "on"})
    assert first.status_code == 302
    assert [m["To"] for m in smtp_server] == ["marc@exemple.fr"]

    for other in ("cible@exemple.fr", "autre-cible@exemple.fr"):
        with django_capture_on_commit_callbacks(execute=True):
            refused = client.post(url, {"email": other, "consent": "on"})
        assert refused.status_code == 422
        assert "déjà été envoyé" in refused.content.decode()
        assert not Lead.objects.filter(email=other).exists()
    # The same address again sends nothing more either.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": "marc@exemple.fr", "consent": "on"})
    assert [m["To"] for m in smtp_server] == ["marc@exemple.fr"]
    audit.refresh_from_db()
    assert audit.email == "marc@exemple.fr"


def test_an_address_given_with_the_answers_is_the_only_one(
    small, smtp_server, django_capture_on_commit_callbacks
):
    audit = _submit(small, email="lea@exemple.fr", capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.AuditError) as refused:
        services.audit_attach_email(
            audit=audit, email="cible@exemple.fr", consent=True, consent_text="J'accepte.", ip="203.0.113.9"
        )
    assert refused.value.code == "email_taken"
    assert [m["To"] for m in smtp_server] == ["lea@exemple.fr"]
