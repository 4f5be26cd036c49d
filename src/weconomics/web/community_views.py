"""Pages about communities: the directory, starting one, joining, invitations and managing."""

from django.shortcuts import render

from weconomics.communities.access import search_communities


def directory(request):
    return render(request, "web/communities.html",
                  {"communities": search_communities(request.user)})
