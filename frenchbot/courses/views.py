"""Placeholder: being written."""

from django.http import Http404


def catalogue(request, *args, **kwargs):
    raise Http404


def dashboard(request, *args, **kwargs):
    raise Http404


def enrol_code(request, *args, **kwargs):
    raise Http404


def training(request, *args, **kwargs):
    raise Http404


def resume(request, *args, **kwargs):
    raise Http404


def progress(request, *args, **kwargs):
    raise Http404


def lesson(request, *args, **kwargs):
    raise Http404


def lesson_complete(request, *args, **kwargs):
    raise Http404


def resource_download(request, *args, **kwargs):
    raise Http404

