"""Placeholder: being written."""

from django.http import Http404


def conversations(request, *args, **kwargs):
    raise Http404


def conversation(request, *args, **kwargs):
    raise Http404


def notifications(request, *args, **kwargs):
    raise Http404


def notification_settings(request, *args, **kwargs):
    raise Http404
