"""Background work of resources: the e-mail carrying a gated guide's link, and the retention of requests."""

from django.conf import settings
from django.utils.translation import gettext as _
from django_tasks import task

from frenchbot.core.mail import mail_send_templated

from .models import GuideRequest
from .selectors.guides import guide_file_extension, guide_has_pdf
from .services import guides as services


@task()
def send_guide_link(request_id: int) -> int:
    """E-mail the signed download link of a gated guide to the address of request `request_id`, and mark it
    sent; 0 when the request is gone (erased meanwhile)."""
    guide_request = GuideRequest.objects.select_related("guide").filter(pk=request_id).first()
    if guide_request is None:
        return 0
    guide = guide_request.guide
    sent = mail_send_templated(
        to=[guide_request.email],
        subject=_("Votre guide « %(title)s »") % {"title": guide.title},
        template="resources/email/guide_link.txt",
        context={
            "guide": guide,
            "name": guide_request.name,
            "download_url": services.guide_download_url(guide_request=guide_request),
            "has_pdf": guide_has_pdf(guide),
            "file_extension": guide_file_extension(guide),
            "max_age_days": settings.RESOURCES_LINK_MAX_AGE_DAYS,
            "guide_url": settings.SITE_URL + guide.get_absolute_url(),
        },
    )
    services.guide_request_mark_sent(guide_request=guide_request)
    return sent


@task()
def guide_requests_prune() -> int:
    """The worker's daily job (WORKER_PERIODIC_JOBS): delete requests older than
    RESOURCES_REQUEST_RETENTION_DAYS."""
    return services.guide_requests_prune()
