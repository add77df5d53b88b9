"""`{% newsletter_signup origin="article" %}`: the compact sign-up form, on any page, posting to /lettre/.

Pages of the shared page cache (articles, the home page) are rendered once for every visitor: the form then
carries the placeholder of the time stamp, which the cache fills per visitor (`core.formguard`)."""

from django import template
from django.urls import reverse

from frenchbot.core.formguard import FORM_TS_PLACEHOLDER, form_timestamp
from frenchbot.core.pagecache import CSRF_PLACEHOLDER

from .. import selectors
from ..forms import signup_form_fresh
from ..models import Subscriber
from ..services.subscriptions import subscriber_token

register = template.Library()


@register.inclusion_tag("newsletter/_signup_block.html", takes_context=True)
def newsletter_signup(context, origin: str = "page", heading: str = ""):

    request = context.get("request")
    csrf_token = context.get("csrf_token")
    shared_copy = str(csrf_token) == CSRF_PLACEHOLDER
    ts = FORM_TS_PLACEHOLDER if shared_copy else form_timestamp()
    user = getattr(request, "user", None)
    email = ""
    subscriber = None
    preferences_url = ""
    if origin == "profile" and user is not None and user.is_authenticated:
        # The learner's own address: their subscription's state is theirs to see.
        email = user.email
        subscriber = selectors.subscriber_for_email(email=email)
        if subscriber is not None:
            preferences_url = reverse(
                "newsletter:preferences", args=[subscriber_token(subscriber=subscriber, action="preferences")]
            )
    next_url = request.path if request is not None and origin in ("article", "home") else ""
    # Ids stay unique when a page shows the form twice (the bot's page, one per answer that offers it).
    count = getattr(request, "_newsletter_forms", 0) + 1
    if request is not None:
        request._newsletter_forms = count
    prefix = "newsletter" if count == 1 else f"newsletter{count}"
    form = signup_form_fresh(origin=origin, next_url=next_url, email=email, ts=ts, prefix=prefix)
    return {
        "prefix": prefix,
        "form": form,
        "origin": origin,
        "heading": heading,
        "csrf_token": csrf_token,
        "subscriber": subscriber,
        "subscribed": subscriber is not None and subscriber.status == Subscriber.Status.CONFIRMED,
        "pending": subscriber is not None and subscriber.status == Subscriber.Status.PENDING,
        "preferences_url": preferences_url,
        "has_lists": bool(form.public_lists),
    }
