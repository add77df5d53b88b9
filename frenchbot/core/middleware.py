from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Adds a Content-Security-Policy to the site's pages (the admin and the API docs keep their own rules)."""

    exempt_prefixes = ("/admin/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and not request.path.startswith(self.exempt_prefixes):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
