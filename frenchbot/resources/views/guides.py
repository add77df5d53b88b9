"""Stub: written in issue 15."""

from django.http import Http404


def resources_index(request, **kwargs):
    raise Http404


def guide_detail(request, **kwargs):
    raise Http404


def guide_pdf(request, **kwargs):
    raise Http404


def guide_file(request, **kwargs):
    raise Http404


def guide_request(request, **kwargs):
    raise Http404


def guide_download(request, **kwargs):
    raise Http404
