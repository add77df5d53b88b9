from django.conf import settings

# The sections of the main menu: the prefix of their addresses, or the exact address for one-page sections.
_NAV_PREFIXES = (("/blog/", "blog"), ("/formations/", "formations"), ("/ressources/", "ressources"))
_NAV_PREFIXES += (("/evenements/", "evenements"),)
_NAV_PAGES = {"/assistant/": "assistant", "/audit/": "audit", "/compte/profil/": "compte"}


def site(request):
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
    }
    if request is not None:
        # Which menu entry is the current page's, and whether the header shows its search box: the parts of the
        # layout kept as fragments (base.html) vary on these few values, not on the address itself.
        path = request.path
        context["NAV_SECTION"] = _NAV_PAGES.get(path) or next(
            (name for prefix, name in _NAV_PREFIXES if path.startswith(prefix)), ""
        )
        match = getattr(request, "resolver_match", None)
        context["NAV_SEARCH"] = getattr(match, "url_name", None) != "search"
    return context
