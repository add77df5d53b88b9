"""Writes of enrolment: a training opened by an access code, a company seat, a purchase or the team."""

import re

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Replace, Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.analytics.goals import goal_record

from ..errors import CourseError
from ..models import AccessCode, Enrolment, Seat, Training

# People type codes as they read them: lower case, with spaces or dashes between groups.
_CODE_NOISE_RE = re.compile(r"[\s\-\u2010-\u2015]+")


def access_code_normalize(code: str) -> str:
    """The one spelling of a code that lookups compare: upper case, without spaces or dashes."""
    return _CODE_NOISE_RE.sub("", code or "").upper()


def enrolment_create(
    *,
    user,
    training: Training,
    source: str,
    access_code: AccessCode | None = None,
    seat: Seat | None = None,
) -> Enrolment:
    """Give `user` access to `training`, whatever opened it (an access code, a company seat, the team).

    This is also the seam for payments: once a payment backend has confirmed a purchase, it calls
    `enrolment_create(user=..., training=..., source=Enrolment.Source.PURCHASE)` and nothing else.

    Idempotent: an active enrolment is returned unchanged (its origin, code and seat stay); an inactive one
    (access removed earlier) is reactivated with the new origin. Progress already made is kept either way.
    """
    with transaction.atomic():
        enrolment, created = Enrolment.objects.select_for_update().get_or_create(
            user=user,
            training=training,
            defaults={"source": source, "access_code": access_code, "seat": seat},
        )
        if not created and not enrolment.is_active:
            enrolment.is_active = True
            enrolment.source = source
            changed = ["is_active", "source", "updated_at"]
            if access_code is not None:
                enrolment.access_code = access_code
                changed.append("access_code")
            if seat is not None:
                enrolment.seat = seat
                changed.append("seat")
            enrolment.save(update_fields=changed)
        if created:
            # A code or a company seat is used by the learner in their own request; the team's enrolments and
            # a payment backend's confirmation (possibly a provider's webhook) are nobody's visit.
            goal_record(
                name="enrolled",
                subject=enrolment,
                by_visitor=source in (Enrolment.Source.CODE, Enrolment.Source.SEAT),
            )
    return enrolment


def _access_code_find(normalized: str) -> AccessCode | None:
    # Codes typed by the team in the admin may hold dashes or spaces: compare both sides normalised.
    stored = Upper(Replace(Replace(F("code"), Value("-"), Value("")), Value(" "), Value("")))
    return (
        AccessCode.objects.annotate(normalized=stored)
        .filter(normalized=normalized)
        .select_related("training")
        .order_by("pk")
        .first()
    )


def enrolment_by_code(*, user, code: str) -> Enrolment:
    """Enrol `user` in the training an access code opens, using one of the code's uses.

    The code is matched without regard to case, spaces or dashes. Raises CourseError (field "code") when
    the code is empty (`empty`), unknown (`unknown`), for a training not open yet (`unavailable`), past its
    date (`expired`) or used up (`used`), and when `user` already follows the training (`already_enrolled`:
    no use is spent then). Two people racing for a code's last use cannot both get it.
    """
    normalized = access_code_normalize(code)
    if not normalized:
        raise CourseError(_("Saisissez le code d'accès que vous avez reçu."), field="code", code="empty")
    found = _access_code_find(normalized)
    if found is None:
        raise CourseError(
            _(
                "Ce code d'accès est inconnu. Vérifiez-le caractère par caractère, ou écrivez-nous : nous vous aiderons."
            ),
            field="code",
            code="unknown",
        )
    training = found.training
    if not training.is_published:
        raise CourseError(
            _("La formation de ce code n'est pas encore ouverte. Réessayez plus tard ou écrivez-nous."),
            field="code",
            code="unavailable",
        )
    with transaction.atomic():
        # The row lock makes a double click (or two tabs) of the same person wait for the first enrolment
        # instead of spending two uses on it.
        access_code = AccessCode.objects.select_for_update().get(pk=found.pk)
        if Enrolment.objects.filter(user=user, training=training, is_active=True).exists():
            raise CourseError(
                _("Vous suivez déjà cette formation : votre code n'a pas été utilisé."),
                field="code",
                code="already_enrolled",
            )
        if access_code.expires_at is not None and access_code.expires_at <= timezone.now():
            raise CourseError(
                _("Ce code d'accès a expiré. Écrivez-nous : nous vous en donnerons un nouveau."),
                field="code",
                code="expired",
            )
        # Conditional increment: the database refuses the use past max_uses whatever runs at the same time.
        spent = AccessCode.objects.filter(pk=access_code.pk, uses__lt=F("max_uses")).update(
            uses=F("uses") + 1
        )
        if spent != 1:
            raise CourseError(
                _(
                    "Ce code d'accès a déjà servi autant de fois que prévu. "
                    "Écrivez-nous si vous pensez que c'est une erreur."
                ),
                field="code",
                code="used",
            )
        return enrolment_create(
            user=user, training=training, source=Enrolment.Source.CODE, access_code=access_code
        )
