"""Conversations between people: direct messages between two connections, and groups.

Who may read a conversation is decided in `weconomics.conversations.queries`; a view
never filters these models by hand.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_BODY = 5000
MAX_TITLE = 120
# A group counts its starter: at least three people, at most fifty.
GROUP_MIN, GROUP_MAX = 3, 50


class Conversation(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct")
        GROUP = "group", _("Group")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=MAX_TITLE, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    # For a direct conversation, "<lower account id>:<higher account id>": one per pair.
    # Cleared when either account is deleted, so the pair could start afresh.
    pair_key = models.CharField(max_length=41, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pair_key"], condition=Q(pair_key__isnull=False),
                                    name="conversation_one_per_pair"),
            models.CheckConstraint(condition=Q(kind="group") | Q(title=""),
                                   name="conversation_direct_has_no_title"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.pk}"

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP


class Participant(models.Model):
    """One person's place in a conversation; kept, without the account, after a deletion."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="participants")
    # NULL once the account is deleted: the thread still shows a "deleted user".
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="conversation_participations")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    # The participant sees the messages written between joining and leaving.
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "account"],
                                    condition=Q(account__isnull=False),
                                    name="participant_once"),
        ]
        indexes = [models.Index(fields=["account", "left_at"], name="participant_by_account")]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.conversation_id}"

    @property
    def active(self) -> bool:
        return self.left_at is None and self.account_id is not None


class Message(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Message")
        # Lines the system writes into the thread; the body holds the names involved.
        ADDED = "added", _("People added")
        LEFT = "left", _("Left")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="messages")
    # NULL once the sender's account is deleted; the thread shows "Deleted user".
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="messages_sent")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(_("message"), max_length=MAX_BODY, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"],
                                name="message_in_conversation")]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.conversation_id}"
