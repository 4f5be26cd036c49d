"""The URLconf of a community's own host name (see `web.channel_host`).

The channel's pages at the root ("/", "/d/<domain>/", "/members/", "/board/...", "/logo"),
then the whole site as usual for everything else: sign-in, static files, the API, and the
other communities under /c/<slug>/.
"""

from django.urls import include, path

from weconomics.web.urls_channel import channel_pages

urlpatterns = [
    path("", include(channel_pages("channel_host_"))),
    path("", include("weconomics.urls")),
]

# Django takes the error handler from the request's own URLconf, never from an included one.
handler500 = "weconomics.web.errors.server_error"
