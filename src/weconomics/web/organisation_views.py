"""Placeholder: being written."""

from django.http import Http404


def directory(request, *args, **kwargs):
    raise Http404


def create(request, *args, **kwargs):
    raise Http404


def invitation(request, *args, **kwargs):
    raise Http404


def organisation(request, *args, **kwargs):
    raise Http404
