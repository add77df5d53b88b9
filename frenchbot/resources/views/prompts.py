"""Stub: written in issue 15."""

from django.http import Http404


def prompt_list(request, **kwargs):
    raise Http404


def prompt_favourites(request, **kwargs):
    raise Http404


def prompt_detail(request, **kwargs):
    raise Http404


def prompt_favourite_toggle(request, **kwargs):
    raise Http404
