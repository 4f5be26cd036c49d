"""A community's channel: its home page, domains, members, discussion board and curation."""

from django.http import Http404
from django.shortcuts import render

from weconomics.communities.access import community_for
from weconomics.communities.errors import NotFound


def home(request, slug):
    try:
        access = community_for(request.user, slug)
    except NotFound:
        raise Http404 from None
    return render(request, "web/community.html", {"community": access.community})
