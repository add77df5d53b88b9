"""The beacon and the image, under ANALYTICS_BEACON_PATH (answered before Django under ASGI)."""

from django.conf import settings
from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.beacon, name="beacon"),
    path(
        settings.ANALYTICS_PIXEL_PATH.removeprefix(settings.ANALYTICS_BEACON_PATH), views.pixel, name="pixel"
    ),
]
