"""The beacon and the image for servers that are not our ASGI stack (runserver, the WSGI live server of the
tests): the same decision as `AnalyticsASGI`, through Django's request."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from frenchbot.core.net import client_ip

from .ingest import MAX_BODY_BYTES, PIXEL_GIF, beacon_accept, pixel_accept


def _headers(request: HttpRequest) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def _empty(status: int) -> HttpResponse:
    response = HttpResponse(status=status)
    response["Cache-Control"] = "no-store"
    if status == 204:
        del response["Content-Type"]
    return response


# No CSRF token: the beacon carries no authority of a cookie and writes only anonymous counts; a foreign
# Origin is refused by `beacon_accept` instead.
@csrf_exempt
def beacon(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = _empty(405)
        response["Allow"] = "POST"
        return response
    # One byte past the limit is enough to know it is too large; the rest is never read.
    body = request.read(MAX_BODY_BYTES + 1)
    status = beacon_accept(
        body=body, headers=_headers(request), ip=client_ip(request), host=request.get_host()
    )
    return _empty(status)


def pixel(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response = _empty(405)
        response["Allow"] = "GET, HEAD"
        return response
    pixel_accept(headers=_headers(request), ip=client_ip(request), host=request.get_host())
    response = HttpResponse(PIXEL_GIF, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response
