"""Certificates: issued once a learner has done every required step, rendered as a PDF, verified in public.

What a certificate states (the holder's name, the training's title, its hours) is copied when it is issued,
so that renaming a training or a user later changes nothing on a document already handed out. The public
verification page shows only what the paper shows, found by its code.

Other parts of the trainings call `certificate_issue_if_complete` after each lesson completed, quiz passed or
exercise passed: it costs one query once the certificate exists, and one progress computation before.
"""

import datetime
import decimal
import logging
import re
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from frenchbot.core.pdf import PdfError, pdf_render

from .models import Certificate, Enrolment, code_generate
from .selectors import enrolment_progress

logger = logging.getLogger(__name__)

# What people add when they copy or type a code: spaces (also non-breaking) and any kind of dash.
_CODE_NOISE_RE = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_CODE_RE = re.compile(r"^[A-Z0-9]{1,32}$")
# A code is drawn at random; two equal draws are improbable, three in a row impossible in practice.
_ISSUE_ATTEMPTS = 3


# --------------------------------------------------------------------------------------------------- reads


def certificate_code_normalize(code: str) -> str:
    """The canonical form of a typed code: « abcd-efgh jk » → « ABCDEFGHJK ». Empty when nothing is left."""
    return _CODE_NOISE_RE.sub("", (code or "").strip()).upper()


def certificate_code_is_wellformed(code: str) -> bool:
    """True for a normalised code that could exist (letters and digits, at most the field's length)."""
    return bool(_CODE_RE.match(code))


def certificate_get_by_code(*, code: str) -> Certificate | None:
    """The certificate with this code, however it was typed (case, spaces and dashes ignored), or None."""
    normalized = certificate_code_normalize(code)
    if not certificate_code_is_wellformed(normalized):
        return None
    return Certificate.objects.filter(code=normalized).first()


def certificate_get_for_learner(*, user, training_slug: str) -> Certificate | None:
    """The certificate `user` earned in the training at `training_slug`, or None — never anyone else's.

    Found through the enrolment whatever its state: a certificate stays its holder's when a company frees the
    seat or the training leaves the catalogue.
    """
    if user is None or not user.is_authenticated:
        return None
    return (
        Certificate.objects.select_related("enrolment__training", "enrolment__user")
        .filter(enrolment__user=user, enrolment__training__slug=training_slug)
        .first()
    )


def certificate_learner_name(*, user) -> str:
    """The name printed on a certificate: the account's full name, else the local part of its e-mail address
    (never the whole address: the verification page is public)."""
    name = " ".join((user.get_full_name() or "").split())
    if not name:
        name = (user.email or "").split("@", 1)[0].strip() or user.get_username()
    return name[: Certificate._meta.get_field("learner_name").max_length]


def certificate_name_is_from_email(*, certificate: Certificate) -> bool:
    """True when the certificate bears the local part of the holder's e-mail address, because their profile
    had no name when it was issued."""
    user = certificate.enrolment.user
    local_part = (user.email or "").split("@", 1)[0].strip()
    return bool(local_part) and certificate.learner_name == local_part


# ------------------------------------------------------------------------------------------- French texts


def certificate_hours_text(hours: decimal.Decimal | int | float) -> str:
    """« 7 heures », « 7,5 heures », « 1 heure », « 1,5 heure » in the active language's number format."""
    value = decimal.Decimal(str(hours)).quantize(decimal.Decimal("0.1"))
    whole = value == value.to_integral_value()
    number = number_format(int(value)) if whole else number_format(value, decimal_pos=1)
    # French keeps the singular below two (« 1,5 heure »).
    count = max(1, int(value))
    return ngettext("%(hours)s heure", "%(hours)s heures", count) % {"hours": number}


def certificate_date_text(day: datetime.date) -> str:
    """« 28 novembre 2026 »; in French the first of the month is « 1er décembre 2026 »."""
    if day.day == 1 and (translation.get_language() or "").startswith("fr"):
        return "1er " + date_format(day, "F Y")
    return date_format(day, "j F Y")


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


# ---------------------------------------------------------------------------------------------------- PDF


def certificate_pdf_bytes(*, certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 landscape PDF, in French. Raises frenchbot.core.pdf.PdfError when
    rendering fails."""
    with translation.override("fr"):
        context = certificate_context(certificate=certificate)
        context["site_url"] = settings.SITE_URL
        context["site_name"] = settings.SITE_NAME
        return pdf_render(template_name="courses/certificate_pdf.html", context=context)


def certificate_pdf_filename(*, certificate: Certificate) -> str:
    return f"certificat-{certificate.enrolment.training.slug}.pdf"


# ---------------------------------------------------------------------------------------------------- writes


def certificate_issue_if_complete(*, enrolment: Enrolment) -> Certificate | None:
    """Issue the certificate of `enrolment` when every required published step is done; return it.

    Returns the existing certificate when there is one (the call is idempotent and safe to repeat after every
    step), None while steps remain or when the enrolment is no longer active. Issuing copies the holder's name,
    the training's title and hours, dates it today (Paris time), marks the enrolment completed, and queues the
    « Votre certificat » e-mail once the transaction commits. Two concurrent calls issue one certificate: the
    one-to-one on the enrolment refuses the second, which then returns the first.
    """
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    if not enrolment.is_active:
        return None
    if not enrolment_progress(enrolment=enrolment).complete:
        return None

    training = enrolment.training
    learner_name = certificate_learner_name(user=enrolment.user)
    for attempt in range(_ISSUE_ATTEMPTS):
        try:
            with transaction.atomic():
                now = timezone.now()
                certificate = Certificate.objects.create(
                    enrolment=enrolment,
                    code=code_generate(),
                    learner_name=learner_name,
                    training_title=training.title,
                    hours=training.duration_hours,
                    issued_on=timezone.localdate(now),
                )
                Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(
                    completed_at=now, updated_at=now
                )
        except IntegrityError:
            existing = Certificate.objects.filter(enrolment=enrolment).first()
            if existing is not None:
                return existing  # issued meanwhile by a concurrent call
            if attempt == _ISSUE_ATTEMPTS - 1:
                raise
            continue  # the random code was taken: draw another
        if enrolment.completed_at is None:
            enrolment.completed_at = now
        transaction.on_commit(partial(_email_enqueue, certificate_id=str(certificate.pk)), robust=True)
        logger.info("Certificate %s issued for enrolment %s", certificate.code, enrolment.pk)
        return certificate
    return None  # not reached: the loop returns or raises


def certificate_revoke(*, certificate: Certificate) -> Certificate:
    """Withdraw a certificate (issued in error, fraud): the verification page then says it is revoked and the
    learner can no longer download it. Revoking again keeps the first date."""
    if certificate.revoked_at is None:
        certificate.revoked_at = timezone.now()
        certificate.save(update_fields=["revoked_at", "updated_at"])
    return certificate


def certificate_reinstate(*, certificate: Certificate) -> Certificate:
    """Undo a revocation: the certificate is valid again, with its original code and date."""
    if certificate.revoked_at is not None:
        certificate.revoked_at = None
        certificate.save(update_fields=["revoked_at", "updated_at"])
    return certificate


def _email_enqueue(*, certificate_id: str) -> None:
    send_certificate_email.enqueue(certificate_id=certificate_id)


def certificate_email_send(*, certificate: Certificate) -> int:
    """Send « Votre certificat » to the holder with the PDF attached (without it, and with the link to the
    page, if the PDF cannot be rendered). Returns the number of messages sent."""
    user = certificate.enrolment.user
    if not user.email or certificate.revoked_at:
        return 0
    try:
        pdf = certificate_pdf_bytes(certificate=certificate)
    except PdfError:
        pdf = None
    with translation.override(settings.LANGUAGE_CODE):
        context = certificate_context(certificate=certificate)
        context.update(
            {
                "site_url": settings.SITE_URL,
                "site_name": settings.SITE_NAME,
                "page_url": settings.SITE_URL
                + reverse("courses:certificate", args=[certificate.enrolment.training.slug]),
                "attached": pdf is not None,
            }
        )
        body = render_to_string("courses/email/certificate_issued.txt", context)
        subject = _("Votre certificat : %(training)s") % {"training": certificate.training_title}
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
    )
    if pdf is not None:
        message.attach(certificate_pdf_filename(certificate=certificate), pdf, "application/pdf")
    return message.send()


@task()
def send_certificate_email(certificate_id: str) -> int:
    """The task queue's side of the certificate e-mail: 0 when the certificate is gone or revoked meanwhile."""
    certificate = (
        Certificate.objects.select_related("enrolment__user", "enrolment__training")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        return 0
    return certificate_email_send(certificate=certificate)
