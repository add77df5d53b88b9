"""Stub: the media library's admin and the editor's upload endpoint, written in issue 15."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path

from .models import Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    search_fields = ["alt", "title"]

    def get_urls(self):
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="media_image_upload")
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        return HttpResponse(status=501)
