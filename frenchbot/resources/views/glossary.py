"""Stub: written in issue 15."""

from django.http import Http404


def glossary_index(request, **kwargs):
    raise Http404


def term_detail(request, **kwargs):
    raise Http404
