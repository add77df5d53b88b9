"""The company's fixed pages: its offer and the legal pages every French site owes its visitors."""

from django.urls import path

from . import views

PAGES = {
    "legal": ("mentions-legales/", "pages/legal.html"),
    "privacy": ("confidentialite/", "pages/privacy.html"),
    "accessibility": ("accessibilite/", "pages/accessibility.html"),
    "contact": ("contact/", "pages/contact.html"),
}

app_name = "pages"

urlpatterns = [
    path(route, views.page, {"template": template}, name=name) for name, (route, template) in PAGES.items()
]
