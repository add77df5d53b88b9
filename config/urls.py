from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page

from config.api import api
from frenchbot.accounts import views as accounts_views
from frenchbot.assistant import views as assistant_views
from frenchbot.assistant.sitemaps import FaqSitemap
from frenchbot.blog.feeds import LatestArticlesAtomFeed, LatestArticlesFeed
from frenchbot.blog.sitemaps import SITEMAPS
from frenchbot.core import views as core_views
from frenchbot.courses.sitemaps import SITEMAPS as COURSES_SITEMAPS
from frenchbot.courses.views import certificates as courses_certificates
from frenchbot.events.sitemaps import EventSitemap
from frenchbot.newsletter.sitemaps import SITEMAPS as NEWSLETTER_SITEMAPS
from frenchbot.pages import views as pages_views
from frenchbot.resources.sitemaps import SITEMAPS as RESOURCES_SITEMAPS
from frenchbot.retrieval import views as retrieval_views

admin.site.site_header = "The French Bot — administration"
admin.site.site_title = "The French Bot"
admin.site.index_title = "Administration du site"

urlpatterns = [
    path("", pages_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path(
        "sitemap.xml",
        cache_page(3600)(sitemap),
        {
            "sitemaps": {
                **SITEMAPS,
                **COURSES_SITEMAPS,
                "faq": FaqSitemap,
                "events": EventSitemap,
                **NEWSLETTER_SITEMAPS,
                **RESOURCES_SITEMAPS,
            }
        },
        name="sitemap",
    ),
    path("feed/rss/", LatestArticlesFeed(), name="feed_rss"),
    path("feed/atom/", LatestArticlesAtomFeed(), name="feed_atom"),
    path("blog/", include("frenchbot.blog.urls")),
    path("rendez-vous/", include("frenchbot.booking.urls")),
    path("audit/", include("frenchbot.audits.urls")),
    path("equipe/", include("frenchbot.backoffice.urls")),
    path("assistant/", include("frenchbot.assistant.urls")),
    path("faq/", assistant_views.faq, name="faq"),
    path("formations/", include("frenchbot.courses.urls")),
    path("", include("frenchbot.sessions.urls")),
    path("certificats/<str:code>/", courses_certificates.certificate_verify, name="certificate_verify"),
    path("lettre/", include("frenchbot.newsletter.urls")),
    path("evenements/", include("frenchbot.events.urls")),
    path("ressources/", include("frenchbot.resources.urls")),
    path("recherche/", retrieval_views.search, name="search"),
    path("donnees-personnelles/", include("frenchbot.privacy.urls")),
    path("opensearch.xml", retrieval_views.opensearch, name="opensearch"),
    path("compte/", include("frenchbot.accounts.urls")),
    path("compte/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", accounts_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path(settings.ANALYTICS_BEACON_PATH.lstrip("/"), include("frenchbot.analytics.urls")),
    path("", include("frenchbot.pages.urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    # The app serves uploaded covers itself, read from the storage (the local folder or the bucket), when no
    # web server or CDN does it.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", core_views.media_serve, name="media")]

handler404 = "frenchbot.core.views.page_not_found"
handler500 = "frenchbot.core.views.server_error"
handler403 = "frenchbot.core.views.permission_denied"
handler400 = "frenchbot.core.views.bad_request"
