"""Communities, their members, domains, channels, discussions, publications and alliances.

A community states its purpose and target group, has a join policy and a visibility, opens
some domains (sections of its channel) and is shown as a channel under /c/<slug>/ or on its
own host name. Content is authored once (an Article now, products later) and published to
the domains of one or more communities; a Publication is a community's view of it, curated
by its stewards. Reads that depend on who is asking go through `communities.access`.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$",
                                  _("Use a colour like #1d6b57 (a # and six hex digits)."))


class DomainKind(models.Model):
    """A kind of domain a community can open; the platform's administrators add more."""

    slug = models.SlugField(_("short name"), max_length=40, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    description_nl = models.CharField(_("description (Dutch)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("can be opened"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("domain kind")
        verbose_name_plural = _("domain kinds")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_nl

    @property
    def description(self) -> str:
        return (self.description_en if translation.get_language() == "en"
                else self.description_nl)


class Community(models.Model):
    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("Cooperative")
        SHARED_SERVICE_CENTRE = "shared_service_centre", _("Shared service centre")
        PROFESSIONAL_NETWORK = "professional_network", _("Professional network")
        LEARNING_COMMUNITY = "learning_community", _("Learning community")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        LISTED = "listed", _("Listed, content for members only")
        HIDDEN = "hidden", _("Hidden")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: anyone can join")
        APPROVAL = "approval", _("On approval by a steward")
        INVITATION = "invitation", _("By invitation only")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    purpose = models.TextField(_("purpose"))
    audience = models.TextField(_("target group"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    join_policy = models.CharField(_("who can join"), max_length=12,
                                   choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    review_publications = models.BooleanField(
        _("stewards approve publications first"), default=False)
    host = models.CharField(_("own host name"), max_length=253, null=True, blank=True,
                            unique=True)
    colour = models.CharField(_("main colour"), max_length=7, default="#1d6b57",
                              validators=[colour_validator])
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#f2b134",
                                     validators=[colour_validator])
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(host=""), name="community_host_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class CommunityDomain(models.Model):
    """A domain opened by a community: a section of its channel with its own page."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="domains")
    kind = models.ForeignKey(DomainKind, on_delete=models.PROTECT, related_name="+")
    intro = models.TextField(_("introduction"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["position", "kind__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "kind"], name="community_domain_once"),
        ]

    def __str__(self) -> str:
        return f"{self.community} / {self.kind}"

    @property
    def slug(self) -> str:
        return self.kind.slug

    @property
    def name(self) -> str:
        return self.kind.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        STEWARD = "steward", _("Steward")
        SUPERVISOR = "supervisor", _("Supervisor")

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="memberships")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="community_memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices,
                            default=Role.MEMBER)
    # The member's consent for this community: when off, fellow members here see only what
    # the member shows everyone; when on, also what they show "members of a community".
    share_profile = models.BooleanField(
        _("fellow members here see what I show community members"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["community__name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "account"], name="community_member_once"),
        ]
        indexes = [
            models.Index(fields=["account", "community"], name="membership_account_idx"),
            # The channel's newest members: walk a community's members newest first.
            models.Index(fields=["community", "-created_at"], name="membership_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account} in {self.community} ({self.role})"

    @property
    def is_steward(self) -> bool:
        return self.role == self.Role.STEWARD


class JoinRequest(models.Model):
    """A request to join a community that admits members on approval."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="join_requests")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="community_join_requests")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "account"],
                                    condition=Q(status="pending"),
                                    name="join_request_pending_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account} -> {self.community} ({self.status})"


class Invitation(models.Model):
    """An invitation to join, by email (one use) or as a link (a use limit), with an expiry."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="invitations")
    email = models.EmailField(_("email address"), blank=True,
                              help_text=_("Empty for an invitation link anyone may use."))
    role = models.CharField(_("role"), max_length=12, choices=Membership.Role.choices,
                            default=Membership.Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    max_uses = models.PositiveIntegerField(_("uses allowed"), default=1)
    use_count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(use_count__lte=F("max_uses")),
                                   name="invitation_uses_within_limit"),
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="invitation_max_uses_min"),
        ]

    def __str__(self) -> str:
        return f"{self.community}: {self.email or 'link'}"

    @property
    def is_link(self) -> bool:
        return not self.email


class Alliance(models.Model):
    """Two communities allied: their members see, and may book, each other's offers."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        ENDED = "ended", _("Ended")

    proposer = models.ForeignKey(Community, on_delete=models.CASCADE,
                                 related_name="alliances_proposed")
    partner = models.ForeignKey(Community, on_delete=models.CASCADE,
                                related_name="alliances_received")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PROPOSED)
    message = models.TextField(_("message"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(proposer=F("partner")),
                                   name="alliance_two_communities"),
            models.UniqueConstraint(fields=["proposer", "partner"],
                                    condition=Q(status__in=["proposed", "active"]),
                                    name="alliance_open_once"),
        ]

    def __str__(self) -> str:
        return f"{self.proposer} + {self.partner} ({self.status})"

    def other(self, community: Community) -> Community:
        return self.partner if community.pk == self.proposer_id else self.proposer


class Topic(models.Model):
    """A discussion topic on a community's board (the "group" of the model)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="topics")
    domain = models.ForeignKey(CommunityDomain, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="topics")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="community_topics")
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("closed for replies"), default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-pinned", "-last_activity_at", "-pk"]
        # The board's order: pinned first, then the latest activity.
        indexes = [models.Index(fields=["community", "-pinned", "-last_activity_at"],
                                name="topic_board_order_idx")]

    def __str__(self) -> str:
        return self.title


class Reply(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="community_replies")
    body = models.TextField(_("text"))
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Reply {self.pk} to {self.topic_id}"


class Article(models.Model):
    """A piece a member authors once and publishes to any number of community domains."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="articles")
    title = models.CharField(_("title"), max_length=150)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Publication(models.Model):
    """One authored item shown in one domain of one community; the stewards curate it there.

    The content stays its author's: unpublishing removes only this row, and curation
    (approve, feature, hide) changes only this row, never the content.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a steward")
        APPROVED = "approved", _("Shown")
        HIDDEN = "hidden", _("Hidden by a steward")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="publications")
    domain = models.ForeignKey(CommunityDomain, on_delete=models.CASCADE,
                               related_name="publications")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     related_name="publications")
    # Copied from the content at publication time so channel pages list without a join
    # per kind; the content's own save refreshes it (see `publications.refresh`).
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.APPROVED)
    featured = models.BooleanField(_("featured"), default=False)
    allies_may_see = models.BooleanField(
        _("members of allied communities may see and book this"), default=True)
    # Whether the content itself is shown at all (a product in draft or archived is not);
    # kept by `publications.refresh` from the content's kind.
    live = models.BooleanField(default=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-featured", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "domain"],
                                    name="publication_once_per_domain"),
        ]
        indexes = [
            models.Index(fields=["community", "status", "-created_at"],
                         name="publication_channel_idx"),
            # A channel's home and domain pages: featured first, then newest.
            models.Index(fields=["community", "-featured", "-created_at"],
                         name="publication_home_idx"),
            models.Index(fields=["content_type", "object_id"], name="publication_content_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} in {self.community_id}/{self.domain_id}"
