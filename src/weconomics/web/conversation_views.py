"""Pages for conversations and notifications: messages, threads, notifications, settings.

Who may read a conversation is decided by `weconomics.conversations.queries`; every write
calls a `conversations.services` or `notifications.services` function, whose refusals
(IdentityError and its subclasses) are shown as form errors (422), never as a server error.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from weconomics.contacts.errors import NotFound
from weconomics.contacts.models import Report
from weconomics.contacts.queries import connections_of, page_of
from weconomics.conversations import queries
from weconomics.conversations import services as conversations
from weconomics.conversations.models import GROUP_MAX, MAX_BODY, MAX_TITLE, Message
from weconomics.identity.errors import IdentityError
from weconomics.notifications import services as notification_services
from weconomics.notifications.kinds import KINDS, label
from weconomics.notifications.kinds import render as render_notification
from weconomics.notifications.models import Notification, NotificationSettings

NOTIFICATIONS_PAGE_SIZE = 30


# --- forms --------------------------------------------------------------------------------
# The forms only shape the input; the services decide what is allowed and say why not.

def _body_field():
    # Not required for the form itself: clean_body gives the service's own words.
    return forms.CharField(
        label=gettext_lazy("Message"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_BODY}))


class HandlesField(forms.MultipleChoiceField):
    """Checkboxes of connections; any handle passes, so the service says why it refuses."""

    def valid_value(self, value):
        return True


class BodyMixin:
    body_required = True

    def clean_body(self):
        body = self.cleaned_data.get("body", "")
        if not body and not self.body_required:
            return ""
        try:
            return conversations.clean_body(body)
        except IdentityError as error:
            raise forms.ValidationError(str(error)) from None


class DirectForm(BodyMixin, forms.Form):
    # A select of the connections; any handle is passed on, so the service says why not.
    to = forms.CharField(label=gettext_lazy("To"), max_length=80, widget=forms.Select)
    body = _body_field()

    def __init__(self, *args, connections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].widget.choices = [("", _("Choose a connection"))] + [
            (p.handle, p.display_name) for p in connections]


class GroupForm(BodyMixin, forms.Form):
    body_required = False

    title = forms.CharField(label=gettext_lazy("Title"), max_length=MAX_TITLE)
    people = HandlesField(
        label=gettext_lazy("People"), widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Choose at least two of your connections."))
    body = _body_field()

    def __init__(self, *args, connections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(p.handle, p.display_name) for p in connections]


class MessageForm(BodyMixin, forms.Form):
    body = _body_field()


class AddPeopleForm(forms.Form):
    people = HandlesField(label=gettext_lazy("Add people"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(p.handle, p.display_name) for p in candidates]


class ReportMessageForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=Report.Reason.choices)
    details = forms.CharField(label=gettext_lazy("Details (optional)"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class NotificationSettingsForm(forms.Form):
    digest = forms.ChoiceField(
        label=gettext_lazy("Email summary of unread notifications"),
        choices=NotificationSettings.Digest.choices, widget=forms.RadioSelect)
    muted_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Leave these out of the email"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("They still show on the notifications page."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["muted_kinds"].choices = [(kind, label(kind)) for kind in KINDS]


# --- helpers ------------------------------------------------------------------------------

def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _pages(page: int, has_next: bool) -> dict:
    return {"number": page, "previous": f"?page={page - 1}" if page > 1 else None,
            "next": f"?page={page + 1}" if has_next else None}


def _cursor(request, name: str) -> int | None:
    return queries.valid_id(request.GET.get(name, ""))


def _present(messages_: list[Message], viewer) -> list[Message]:
    """Give each message the sender's name and whether the viewer wrote it."""
    for message in messages_:
        message.sender_name = queries.name_of(message.sender)
        message.mine = message.sender_id == viewer.pk
    return messages_


# --- the list of conversations --------------------------------------------------------------

@login_required
def conversations_list(request, direct_form=None, group_form=None, status=200):
    page = _page_number(request)
    rows, has_next = page_of(queries.conversations_of(request.user), page)
    queries.with_previews(rows)
    for row in rows:
        participants = list(row.conversation.participants.all())
        row.title = queries.title_for(row.conversation, request.user, participants)
        row.others = [queries.name_of(p.account) for p in participants
                      if p.account_id != request.user.pk and p.left_at is None]
        if row.last_message is not None:
            _present([row.last_message], request.user)
    connections = list(connections_of(request.user))
    wanted = request.GET.get("to", "")
    if direct_form is None:
        direct_form = DirectForm(connections=connections, initial={"to": wanted})
    if group_form is None:
        group_form = GroupForm(connections=connections)
    not_a_connection = bool(wanted) and wanted not in {p.handle for p in connections}
    return render(request, "web/conversations/list.html", {
        "rows": rows, "pages": _pages(page, has_next), "direct_form": direct_form,
        "group_form": group_form, "connections": connections, "to": wanted,
        "not_a_connection": not_a_connection, "nav_section": "messages",
        "group_max": GROUP_MAX,
    }, status=status)


@login_required
@require_POST
def start_direct(request):
    connections = list(connections_of(request.user))
    form = DirectForm(request.POST, connections=connections)
    if form.is_valid():
        try:
            started = conversations.start_direct(
                actor=request.user, handle=form.cleaned_data["to"],
                body=form.cleaned_data["body"], request=request)
        except IdentityError as error:
            form.add_error("body" if error.status == 422 else "to", str(error))
        else:
            return redirect(reverse("conversation", args=[started.pk]) + "#latest")
    return conversations_list(request, direct_form=form, status=422)


@login_required
@require_POST
def start_group(request):
    connections = list(connections_of(request.user))
    form = GroupForm(request.POST, connections=connections)
    if form.is_valid():
        try:
            started = conversations.start_group(
                actor=request.user, title=form.cleaned_data["title"],
                handles=form.cleaned_data["people"], body=form.cleaned_data["body"],
                request=request)
        except IdentityError as error:
            form.add_error(None, str(error))
        else:
            return redirect(reverse("conversation", args=[started.pk]) + "#latest")
    return conversations_list(request, group_form=form, status=422)


# --- one conversation -----------------------------------------------------------------------

def _participation_or_404(request, conversation_id):
    try:
        return queries.participation_in(request.user, conversation_id)
    except NotFound:
        raise Http404 from None


def _thread_page(request, mine, *, message_form=None, add_form=None, status=200):
    conversation = mine.conversation
    participants = queries.participants_of(conversation)
    before = _cursor(request, "before")
    thread, has_earlier = queries.thread(mine, before=before)
    _present(thread, request.user)
    active = {p.account_id for p in participants if p.left_at is None}
    candidates = []
    if conversation.is_group and mine.active:
        candidates = [p for p in connections_of(request.user) if p.account_id not in active]
    open_problem = _direct_problem(mine, participants, request.user)
    if before is None and status == 200:
        conversations.mark_read(actor=request.user, conversation_id=conversation.pk)
    return render(request, "web/conversations/thread.html", {
        "mine": mine, "conversation": conversation, "thread": thread,
        "has_earlier": has_earlier, "earliest": thread[0].pk if thread else None,
        "browsing": before is not None,
        "title": queries.title_for(conversation, request.user, participants),
        "participants": [{"name": queries.name_of(p.account), "left": p.left_at is not None,
                          "me": p.account_id == request.user.pk,
                          "handle": getattr(getattr(p.account, "person", None), "handle", "")}
                         for p in participants],
        "message_form": message_form or MessageForm(),
        "add_form": add_form or (AddPeopleForm(candidates=candidates) if candidates else None),
        "can_write": mine.active and not open_problem, "problem": open_problem,
        "nav_section": "messages",
    }, status=status)


def _direct_problem(mine, participants, viewer) -> str:
    """Why the viewer cannot write here, said before they try; "" when they can."""
    if mine.left_at is not None:
        return _("You left this conversation.")
    if mine.conversation.is_group:
        return ""
    others = [p for p in participants if p.pk != mine.pk]
    if not others or others[0].account is None:
        return _("The other person has deleted their account.")
    if others[0].left_at is not None:
        return _("%(name)s left this conversation.") % {"name": queries.name_of(
            others[0].account)}
    from weconomics.contacts.access import can_message

    if not can_message(viewer, others[0].account):
        return _("You can no longer send messages to this person.")
    return ""


@login_required
def conversation(request, conversation_id):
    mine = _participation_or_404(request, conversation_id)
    return _thread_page(request, mine)


@login_required
@require_POST
def send_message(request, conversation_id):
    mine = _participation_or_404(request, conversation_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message = conversations.send_message(
                actor=request.user, conversation_id=mine.conversation_id,
                body=form.cleaned_data["body"], request=request)
        except IdentityError as error:
            form.add_error("body", str(error))
        else:
            if request.htmx:
                _present([message], request.user)
                return render(request, "web/conversations/_sent.html", {
                    "message": message, "conversation": mine.conversation,
                    "message_form": MessageForm()})
            return redirect(reverse("conversation", args=[mine.conversation_id]) + "#latest")
    if request.htmx:
        response = render(request, "web/conversations/_send_form.html", {
            "conversation": mine.conversation, "message_form": form}, status=422)
        response["HX-Retarget"] = "#send-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    return _thread_page(request, mine, message_form=form, status=422)


@login_required
@require_POST
def add_people(request, conversation_id):
    mine = _participation_or_404(request, conversation_id)
    active = set(mine.conversation.participants.filter(left_at__isnull=True)
                 .values_list("account_id", flat=True))
    candidates = [p for p in connections_of(request.user) if p.account_id not in active]
    form = AddPeopleForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            added = conversations.add_participants(
                actor=request.user, conversation_id=mine.conversation_id,
                handles=form.cleaned_data["people"], request=request)
        except IdentityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(count)d added to the conversation.")
                             % {"count": len(added)})
            return redirect("conversation", mine.conversation_id)
    return _thread_page(request, mine, add_form=form, status=422)


@login_required
@require_POST
def leave(request, conversation_id):
    mine = _participation_or_404(request, conversation_id)
    try:
        conversations.leave(actor=request.user, conversation_id=mine.conversation_id,
                            request=request)
    except IdentityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You left the conversation."))
    if request.htmx:
        response = HttpResponse("")
        response["HX-Redirect"] = reverse("conversations")
        return response
    return redirect("conversations")


@login_required
def report_message(request, conversation_id, message_id):
    mine = _participation_or_404(request, conversation_id)
    if queries.valid_id(message_id) is None:
        raise Http404
    message = (queries.visible_messages(mine).filter(pk=message_id, kind=Message.Kind.TEXT)
               .exclude(sender=request.user).first())
    if message is None:
        raise Http404
    _present([message], request.user)
    form = ReportMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversations.report_message(actor=request.user, message_id=message.pk,
                                         reason=form.cleaned_data["reason"],
                                         details=form.cleaned_data["details"], request=request)
        except IdentityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you. The moderators will look at this message."))
            return redirect("conversation", mine.conversation_id)
    return render(request, "web/conversations/report.html", {
        "form": form, "message": message, "conversation": mine.conversation,
        "nav_section": "messages",
    }, status=422 if form.errors else 200)


# --- notifications --------------------------------------------------------------------------

def _present_notification(row: Notification) -> Notification:
    row.text = render_notification(row.kind, row.params)
    # Only paths on this site become links.
    local = row.url.startswith("/") and not row.url.startswith(("//", "/\\"))
    row.link = row.url if local else ""
    return row


@login_required
def notifications_page(request):
    page = _page_number(request)
    rows, has_next = page_of(Notification.objects.filter(recipient=request.user)
                             .order_by("-created_at", "-id"), page,
                             size=NOTIFICATIONS_PAGE_SIZE)
    for row in rows:
        _present_notification(row)
    return render(request, "web/notifications/list.html", {
        "rows": rows, "pages": _pages(page, has_next), "nav_section": "notifications",
        "any_unread": any(row.read_at is None for row in rows) or Notification.objects.filter(
            recipient=request.user, read_at__isnull=True).exists(),
    })


@login_required
@require_POST
def notifications_read(request):
    """Mark one notification (POST id) or all of them read."""
    raw = request.POST.get("id", "")
    if raw:
        found = queries.valid_id(raw)
        if found is None:
            raise Http404
        ids = [found]
        notification_services.mark_read(actor=request.user, notification_ids=ids)
        if request.htmx:
            row = Notification.objects.filter(recipient=request.user, pk=ids[0]).first()
            if row is None:
                raise Http404
            _present_notification(row)
            return render(request, "web/notifications/_item.html", {"n": row})
    else:
        notification_services.mark_read(actor=request.user)
        messages.success(request, _("All notifications are marked read."))
        if request.htmx:
            response = HttpResponse("")
            response["HX-Refresh"] = "true"
            return response
    return redirect("notifications")


@login_required
def notification_settings(request):
    current = notification_services.settings_of(request.user)
    form = NotificationSettingsForm(request.POST or None, initial={
        "digest": current.digest, "muted_kinds": current.muted_kinds})
    if request.method == "POST" and form.is_valid():
        try:
            notification_services.update_settings(actor=request.user,
                                          digest=form.cleaned_data["digest"],
                                          muted_kinds=form.cleaned_data["muted_kinds"],
                                          request=request)
        except IdentityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification_settings")
    return render(request, "web/notifications/settings.html", {
        "form": form, "settings_page": True, "last_digest_at": current.last_digest_at,
    }, status=422 if form.errors else 200)
