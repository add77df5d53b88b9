"""Placeholder: being written."""

from django.http import Http404


def quiz(request, *args, **kwargs):
    raise Http404


def exercise(request, *args, **kwargs):
    raise Http404

