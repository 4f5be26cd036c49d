"""Pages: start pages, settings (account, sessions, tokens, your data) and the outbox."""

import datetime as dt
import json
from urllib.parse import urlencode

from allauth.idp.oidc.models import Client as OIDCClient
from allauth.idp.oidc.models import Token as OIDCToken
from allauth.idp.oidc.views import AuthorizationView
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from weconomics.audit.services import record
from weconomics.communities.queries import memberships_of, visible_communities
from weconomics.contacts.queries import organisation_memberships_of
from weconomics.identity import mail
from weconomics.identity import services as identity
from weconomics.identity.errors import IdentityError
from weconomics.identity.forms import AccountForm, DeleteAccountForm, TokenForm
from weconomics.identity.models import PersonalAccessToken
from weconomics.outage import RETRY_AFTER, database_reachable
from weconomics.web import channel_signin
from weconomics.web.organisation_views import news_feed


def home(request):
    if not request.user.is_authenticated:
        communities = visible_communities(None).filter(visibility="public")[:6]
        return render(request, "web/home_visitor.html", {"communities": communities})
    return render(request, "web/home_member.html", {
        "memberships": memberships_of(request.user),
        "organisations": organisation_memberships_of(request.user),
        "news_feed": news_feed(request.user),
    })


@login_required
def account_settings(request):
    form = AccountForm(request.POST or None, initial={"name": request.user.name})
    if request.method == "POST" and form.is_valid():
        identity.update_account(actor=request.user, request=request, name=form.cleaned_data["name"])
        messages.success(request, _("Your account is saved."))
        return redirect("settings")
    return render(request, "web/settings_account.html", {"form": form, "settings_page": True})


@login_required
def sessions(request):
    if request.method == "POST":
        try:
            if request.POST.get("all_others"):
                count = identity.end_sessions(actor=request.user, all_but_current=True,
                                              request=request)
            else:
                session_id = int(request.POST.get("session", "0"))
                count = identity.end_sessions(actor=request.user, session_ids=[session_id],
                                              request=request)
        except (ValueError, IdentityError):
            messages.error(request, _("That session no longer exists."))
            return _back(request, "sessions")
        if not request.user.is_authenticated or request.session.session_key is None:
            return redirect("account_login")
        if request.htmx:
            # htmx replaces the row of the ended session with nothing.
            return HttpResponse("")
        messages.success(request, ngettext("%(count)d session ended.", "%(count)d sessions ended.",
                                           count) % {"count": count})
        return redirect("sessions")
    current = request.session.session_key
    rows = [{"session": s, "current": s.session_key == current,
             "device": describe_user_agent(s.user_agent)}
            for s in identity.sessions_of(request.user)]
    return render(request, "web/settings_sessions.html", {"rows": rows, "settings_page": True})


def _back(request, url_name):
    """Redirect back; htmx reloads the whole page instead of swapping it into a row."""
    if request.htmx:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return redirect(url_name)


def describe_user_agent(user_agent: str) -> str:
    """Name the browser and system in a user agent string, for people to recognise."""
    ua = user_agent or ""
    browser = next((name for key, name in [
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
        ("Safari/", "Safari"), ("curl/", "curl"), ("python", "Python")] if key in ua), "")
    system = next((name for key, name in [
        ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
        ("Mac OS X", "macOS"), ("Linux", "Linux")] if key in ua), "")
    described = " · ".join(part for part in (browser, system) if part)
    return described or _("Unknown device")


@login_required
def tokens(request):
    created = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            token, raw = identity.create_token(
                actor=request.user, name=form.cleaned_data["name"].strip(),
                scope=form.cleaned_data["scope"], expires_at=expires_at, request=request)
        except IdentityError as error:
            form.add_error(None, str(error))
        else:
            created = {"token": token, "raw": raw}
            form = TokenForm()
    active = PersonalAccessToken.objects.filter(account=request.user).active()
    return render(request, "web/settings_tokens.html", {
        "form": form, "created": created, "tokens": active, "settings_page": True,
    }, status=422 if form.errors else 200)


@login_required
@require_POST
def revoke_token(request, token_id):
    try:
        identity.revoke_token(actor=request.user, token_id=token_id, request=request)
    except IdentityError:
        messages.error(request, _("That token no longer exists."))
        return _back(request, "tokens")
    else:
        if request.htmx:
            return HttpResponse("")
        messages.success(request, _("The token is revoked; it no longer works."))
    return redirect("tokens")


@login_required
def privacy(request):
    return render(request, "web/settings_privacy.html", {"settings_page": True})


@login_required
@require_POST
def export(request):
    data = identity.export_account(actor=request.user, request=request)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="weconomics-export-{stamp}.json"'
    return response


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, account=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            identity.delete_account(actor=request.user, request=request)
        except IdentityError as error:
            # Another module refuses, e.g. the last owner of an organisation with members.
            form.add_error(None, str(error))
            return render(request, "web/settings_delete.html",
                          {"form": form, "settings_page": True}, status=409)
        logout(request)
        messages.success(request, _("Your account and your data have been deleted."))
        return redirect("home")
    return render(request, "web/settings_delete.html", {"form": form, "settings_page": True},
                  status=422 if form.errors else 200)


@staff_member_required
def outbox(request):
    return render(request, "web/outbox.html", {"messages_": mail.outbox_messages(),
                                               "outbox_dir": settings.OUTBOX_DIR})


@staff_member_required
def outbox_message(request, message_id):
    message = mail.read_outbox_message(message_id)
    if message is None:
        raise Http404
    return render(request, "web/outbox_message.html", {"message": message})


def set_language(request):
    """Switch the interface language; remember it on the account too."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language")
    if (request.method == "POST" and request.user.is_authenticated
            and language in dict(settings.LANGUAGES)):
        identity.update_account(actor=request.user, request=request, language=language)
    return response


class AuditedAuthorizationView(AuthorizationView):
    """allauth's OIDC consent page, writing an audit record when consent is given."""

    def get(self, request, *args, **kwargs):
        refused = channel_signin.refuse_authorization(request)
        if refused is not None:
            return refused
        prompt = request.GET.get("prompt", "").split()
        if "none" in prompt and request.user.is_authenticated:
            refused = self._refuse_silent_grant_without_own_consent(request)
            if refused is not None:
                return refused
        response = super().get(request, *args, **kwargs)
        if "none" in prompt and response.status_code == 302 and "code=" in response.get(
                "Location", ""):
            record("identity.oidc_silent_grant", actor=request.user, request=request,
                   data={"client_id": request.GET.get("client_id"),
                         "scopes": sorted(request.GET.get("scope", "").split())})
        # allauth renders its error page (unknown client, unregistered redirect URI)
        # with 200; the consent form itself is a TemplateResponse.
        if response.status_code == 200 and not isinstance(response, TemplateResponse):
            response.status_code = 400
        return response

    def _refuse_silent_grant_without_own_consent(self, request):
        """Answer prompt=none with consent_required unless this client was granted the scopes.

        allauth pools the scopes a person granted to all clients when it decides on a
        silent grant; consent given to one channel must not serve another.
        """
        client_id = request.GET.get("client_id", "")
        wanted = set(request.GET.get("scope", "").split())
        granted = any(
            wanted <= set(token.get_scopes())
            for token in OIDCToken.objects.valid().filter(
                user=request.user, client_id=client_id,
                type__in=[OIDCToken.Type.ACCESS_TOKEN, OIDCToken.Type.REFRESH_TOKEN])
        )
        if granted:
            return None
        client = OIDCClient.objects.filter(pk=client_id).first()
        redirect_uri = request.GET.get("redirect_uri", "")
        if client is None or redirect_uri not in client.get_redirect_uris():
            return None  # allauth's own validation shows the error page
        params = {"error": "consent_required"}
        if request.GET.get("state"):
            params["state"] = request.GET["state"]
        separator = "&" if "?" in redirect_uri else "?"
        response = HttpResponse(status=302)
        response["Location"] = redirect_uri + separator + urlencode(params)
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        if response.status_code in (301, 302, 303) and "code=" in response.get("Location", ""):
            record("identity.oidc_consent", actor=self.request.user, request=self.request,
                   data={"client_id": self._request_info.get("client_id"),
                         "scopes": sorted(form.cleaned_data.get("scopes") or [])})
        return response


def healthz(request):
    """200 "ok" when the site and its database answer; 503 while the database does not."""
    if not database_reachable():
        response = HttpResponse("database unavailable", status=503, content_type="text/plain")
        response["Retry-After"] = str(RETRY_AFTER)
    else:
        response = HttpResponse("ok", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


