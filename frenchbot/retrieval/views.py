"""Stub: the site search (/recherche/), written in issue 15."""

from django.http import Http404


def search(request):
    raise Http404


def opensearch(request):
    raise Http404
