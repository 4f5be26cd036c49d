"""A community's wiki: pages addressed by title, each a chain of revisions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weconomics.communities.models import Community


class Wiki(models.Model):
    """A community's wiki settings; made on first use."""

    class Editors(models.TextChoices):
        MEMBERS = "members", _("Members")
        ALLIES = "allies", _("Members and members of allied communities")
        STEWARDS = "stewards", _("Stewards only")

    community = models.OneToOneField(Community, on_delete=models.CASCADE, related_name="wiki")
    editors = models.CharField(_("who may edit"), max_length=10, choices=Editors.choices,
                               default=Editors.MEMBERS)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wiki")
        verbose_name_plural = _("wikis")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.community} / wiki"


class Page(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="wiki_pages")
    title = models.CharField(_("title"), max_length=200)
    latest = models.ForeignKey("Revision", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    protected = models.BooleanField(_("protected"), default=False)
    # The page's talk page is a topic on the community's board, in the wiki domain.
    talk = models.ForeignKey("communities.Topic", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wiki page")
        verbose_name_plural = _("wiki pages")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "title"], name="wiki_page_title_once"),
        ]

    def __str__(self) -> str:
        return self.title


class Revision(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="revisions")
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    # SET_NULL: a deleted account's revisions stay, shown as from a deleted user.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="wiki_revisions")
    text = models.TextField(_("text"))
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    minor = models.BooleanField(_("minor edit"), default=False)
    size = models.PositiveIntegerField(_("size in bytes"))
    size_change = models.IntegerField(_("size change"))
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wiki revision")
        verbose_name_plural = _("wiki revisions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["page", "-id"], name="wiki_revision_page_newest")]

    def __str__(self) -> str:
        return f"{self.page} #{self.pk}"


class Watch(models.Model):
    """Someone follows a page: each change by someone else notifies them."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="watches")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="wiki_watches")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("watched page")
        verbose_name_plural = _("watched pages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["page", "account"], name="wiki_watch_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} watches {self.page}"
