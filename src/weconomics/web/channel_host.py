"""Serve a community's channel on its own host name.

When the Host header names a community's own host, the request gets `request.channel`
(the community) and the URLconf `weconomics.web.urls_channel_host`, which serves the
channel's pages at the root and the rest of the site (sign-in, static files, the API)
as usual. The host must also be listed in WECONOMICS_ALLOWED_HOSTS.
"""

from urllib.parse import urlsplit

from django.conf import settings

from weconomics.communities.access import community_by_host

CHANNEL_URLCONF = "weconomics.web.urls_channel_host"
# The platform's own names never belong to a community (services.clean_host refuses them),
# so requests to them skip the look-up and cost no query.
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", "testserver"}


def _platform_hosts() -> set[str]:
    hosts = set(LOCAL_HOSTS)
    site = urlsplit(getattr(settings, "SITE_URL", "") or "").hostname
    if site:
        hosts.add(site.lower())
    return hosts


def _name_of(host: str) -> str:
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.split(":")[0].lower().rstrip(".")


class ChannelHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.channel = None
        host = request.get_host()
        if _name_of(host) not in _platform_hosts():
            community = community_by_host(host)
            if community is not None:
                request.channel = community
                request.urlconf = CHANNEL_URLCONF
                if request.path == "/accounts/login/" and request.method == "GET":
                    # One login everywhere: a channel host signs in through the platform's
                    # OIDC provider (web/channel_signin.py), not with a password of its own.
                    from urllib.parse import urlencode

                    from django.shortcuts import redirect

                    return redirect("/channel-auth/login?" + urlencode(
                        {"next": request.GET.get("next", "/")}))
        return self.get_response(request)
