"""Placeholder: being written."""

from django.http import Http404


def profile(request):
    raise Http404
