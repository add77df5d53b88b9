"""Writes of certificates: issued once a learner has done every required step, revoked and reinstated by the team.

The lesson, quiz and exercise services call `certificate_issue_if_complete` after each step done: it costs one
query once the certificate exists, and one progress computation before.
"""

import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from frenchbot.analytics.goals import goal_record

from .. import tasks
from ..models import Certificate, Enrolment, code_generate
from ..selectors.certificates import certificate_learner_name
from ..selectors.progress import enrolment_progress

logger = logging.getLogger(__name__)

# A code is drawn at random; two equal draws are improbable, three in a row impossible in practice.
_ISSUE_ATTEMPTS = 3


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
        # In the learner's request (the last step done, the certificate page) it is their goal; issued
        # elsewhere it has no visitor and follows the enrolment's attribution.
        goal_record(name="certificate_issued", subject=certificate, follows=enrolment)
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
    tasks.send_certificate_email.enqueue(certificate_id=certificate_id)
