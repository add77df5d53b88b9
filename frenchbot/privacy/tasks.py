from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from frenchbot.core.mail import mail_send_templated


@task()
def link_send(*, email: str) -> int:
    """The e-mail with the signed link to the person's data (sent whether or not the site holds any)."""
    from .services import link_token

    url = settings.SITE_URL.rstrip("/") + reverse("privacy:access", kwargs={"token": link_token(email=email)})
    return mail_send_templated(
        to=[email],
        subject=_("Accéder à vos données personnelles"),
        template="privacy/email/link.txt",
        context={"url": url, "hours": settings.PRIVACY_LINK_MAX_AGE_HOURS},
    )


@task()
def erasures_resume() -> int:
    """Periodic: finish the erasures a failure left incomplete."""
    from .services import erasure_resume

    return erasure_resume()
