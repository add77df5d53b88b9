"""The company's fixed pages: its offer and the legal pages every French site owes its visitors."""

from django.urls import path

from . import views

# Pages that are only a template; the contact page has its own view (it carries a form).
PAGES = {
    "legal": ("mentions-legales/", "pages/legal.html"),
    "privacy": ("confidentialite/", "pages/privacy.html"),
    "accessibility": ("accessibilite/", "pages/accessibility.html"),
}

app_name = "pages"

urlpatterns = [
    *(
        path(route, views.page, {"template": template}, name=name)
        for name, (route, template) in PAGES.items()
    ),
    path("contact/", views.contact, name="contact"),
]
