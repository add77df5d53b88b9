"""Reads of certificates: found by their code (the public verification page) or by their holder."""

import re

from ..models import Certificate

# What people add when they copy or type a code: spaces (also non-breaking) and any kind of dash.
_CODE_NOISE_RE = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


_CODE_RE = re.compile(r"^[A-Z0-9]{1,32}$")


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
    if certificate.enrolment is None:  # erased: the holder's address is no longer known
        return False
    user = certificate.enrolment.user
    local_part = (user.email or "").split("@", 1)[0].strip()
    return bool(local_part) and certificate.learner_name == local_part


def certificates_valid_for_user(*, user) -> list[Certificate]:
    """Every certificate `user` holds that is not revoked, newest first: kept even when access to the training
    ended, since it certifies what was done."""
    return list(
        Certificate.objects.filter(enrolment__user=user, revoked_at__isnull=True).order_by(
            "-issued_on", "code"
        )
    )
