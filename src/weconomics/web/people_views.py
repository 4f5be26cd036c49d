"""Placeholder: being written."""

from django.http import Http404


def directory(request, *args, **kwargs):
    raise Http404


def person(request, *args, **kwargs):
    raise Http404


def person_photo(request, *args, **kwargs):
    raise Http404


def profile_edit(request, *args, **kwargs):
    raise Http404


def network(request, *args, **kwargs):
    raise Http404


def recommendations(request, *args, **kwargs):
    raise Http404
