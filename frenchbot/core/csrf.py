"""CSRF for JSON routes: django-ninja leaves it to us for routes that act on a browser session."""

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware

_checker = CsrfViewMiddleware(lambda request: None)


def csrf_failed(request: HttpRequest) -> bool:
    """True when this unsafe request lacks a valid CSRF token (header X-CSRFToken or form field) and origin."""
    # The middleware skipped the view (ninja marks its views exempt); run the same checks now.
    return _checker.process_view(request, lambda request: None, (), {}) is not None
