"""What a certificate says, formatted in the active language (its page, the PDF, the e-mail, the verification
page), and the PDF itself.

What a certificate states (the holder's name, the training's title, its hours) was copied when it was issued,
so that renaming a training or a user later changes nothing on a document already handed out.
"""

import datetime
import decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import ngettext

from frenchbot.core.dates import day_text
from frenchbot.core.pdf import pdf_kept, pdf_render

from .models import Certificate


def certificate_hours_text(hours: decimal.Decimal | int | float) -> str:
    """« 7 heures », « 7,5 heures », « 1 heure », « 1,5 heure » in the active language's number format."""
    value = decimal.Decimal(str(hours)).quantize(decimal.Decimal("0.1"))
    whole = value == value.to_integral_value()
    number = number_format(int(value)) if whole else number_format(value, decimal_pos=1)
    # French keeps the singular below two (« 1,5 heure »).
    count = max(1, int(value))
    return ngettext("%(hours)s heure", "%(hours)s heures", count) % {"hours": number}


def certificate_date_text(day: datetime.date) -> str:
    """« 28 novembre 2026 », « 1er décembre 2026 » (`core.dates.day_text`)."""
    return day_text(day)


def certificate_verify_url(*, certificate: Certificate) -> str:
    """The public address that proves the certificate, as printed on it and encoded in its QR code."""
    return settings.SITE_URL + reverse("certificate_verify", args=[certificate.code])


def certificate_qr_data_uri(*, url: str) -> str:
    """A QR code of `url` as an SVG `data:` URI (vector, crisp at any size; allowed by the PDF renderer)."""
    import segno

    qr = segno.make(url, error="m")
    return qr.svg_data_uri(dark="#14213d", light="#ffffff", border=2, omitsize=True)


def certificate_context(*, certificate: Certificate) -> dict:
    """What the learner's page, the PDF, the e-mail and the verification page say, formatted in the active
    language."""
    url = certificate_verify_url(certificate=certificate)
    return {
        "certificate": certificate,
        "learner_name": certificate.learner_name,
        "training_title": certificate.training_title,
        "hours_text": certificate_hours_text(certificate.hours),
        "issued_text": certificate_date_text(certificate.issued_on),
        "revoked_text": (
            certificate_date_text(timezone.localdate(certificate.revoked_at))
            if certificate.revoked_at
            else ""
        ),
        "code": certificate.code,
        "verify_url": url,
        "qr_data_uri": certificate_qr_data_uri(url=url),
    }


def certificate_pdf_bytes(*, certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 landscape PDF, in French. Raises frenchbot.core.pdf.PdfError when
    rendering fails."""
    with translation.override("fr"):
        context = certificate_context(certificate=certificate)
        context["site_url"] = settings.SITE_URL
        context["site_name"] = settings.SITE_NAME
        return pdf_render(template_name="courses/certificate_pdf.html", context=context)


def certificate_pdf_kept(*, certificate: Certificate, ip: str = "") -> bytes:
    """The certificate's PDF rendered once and kept, keyed by everything it states (and `updated_at`, should
    staff correct it in the admin); `ip` (a download) counts a render towards the visitor's limit. Raises
    PdfError, or PdfRenderLimited for a visitor who caused too many renders."""
    parts = (
        str(certificate.pk),
        certificate.updated_at.isoformat(),
        certificate.code,
        certificate.learner_name,
        certificate.training_title,
        str(certificate.hours),
        certificate.issued_on.isoformat(),
    )
    return pdf_kept(
        kind="certificate", parts=parts, render=lambda: certificate_pdf_bytes(certificate=certificate), ip=ip
    )


def certificate_pdf_filename(*, certificate: Certificate) -> str:
    # A certificate whose enrolment was erased keeps only what it states: the copied title names the file.
    if certificate.enrolment_id is not None:
        return f"certificat-{certificate.enrolment.training.slug}.pdf"
    return f"certificat-{slugify(certificate.training_title) or certificate.code.lower()}.pdf"
