"""Placeholder: being written."""

from django.http import Http404


def certificate_page(request, *args, **kwargs):
    raise Http404


def certificate_pdf(request, *args, **kwargs):
    raise Http404


def certificate_verify(request, *args, **kwargs):
    raise Http404

