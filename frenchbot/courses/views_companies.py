"""Placeholder: being written."""

from django.http import Http404


def company_detail(request, *args, **kwargs):
    raise Http404


def seat_accept(request, *args, **kwargs):
    raise Http404

