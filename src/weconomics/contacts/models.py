"""Contacts: people and organisations, their network roles, and the network between them.

Every person profile section carries its own visibility; what a viewer may see is
decided in one place, `weconomics.contacts.access`, never by filtering these models
by hand in a view.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    COMMUNITIES = "communities", _("Members of a community we share")
    CONNECTIONS = "connections", _("My connections")
    PRIVATE = "private", _("Only me")


# The sections of a person profile, each with its own visibility field
# (`<section>_visibility`). "profile" is the card itself: name, headline and
# whether the person can be found at all; no section shows wider than the card.
SECTIONS = (
    "profile", "photo", "about", "skills", "experience", "education", "languages",
    "region", "availability", "links", "recommendations",
)


def _visibility_field(label, default):
    return models.CharField(label, max_length=12, choices=Visibility.choices, default=default)


class Person(models.Model):
    """The person profile of one account: the account's contact in every community."""

    class LanguageLevel(models.TextChoices):
        BASIC = "basic", _("Basic")
        GOOD = "good", _("Good")
        FLUENT = "fluent", _("Fluent")
        NATIVE = "native", _("Native")

    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="person")
    handle = models.SlugField(_("profile address"), max_length=80, unique=True)
    display_name = models.CharField(_("display name"), max_length=150)
    # Casefolded, accent-free copy of the name that the directory searches.
    search_name = models.CharField(max_length=150, db_index=True, editable=False)
    headline = models.CharField(_("headline"), max_length=160, blank=True)
    about = models.TextField(_("about"), blank=True, max_length=5000)
    region = models.CharField(_("region"), max_length=100, blank=True)
    region_key = models.CharField(max_length=100, db_index=True, blank=True, editable=False)
    # [{"code": "nl", "level": "native"}, ...]
    languages = models.JSONField(_("languages"), default=list, blank=True)
    hours_per_month = models.PositiveSmallIntegerField(_("hours per month"), null=True,
                                                       blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    # [{"label": "Website", "url": "https://..."}, ...]
    links = models.JSONField(_("links"), default=list, blank=True)
    photo = models.ImageField(_("photo"), upload_to="photos/", blank=True)

    profile_visibility = _visibility_field(_("who can find this profile"), Visibility.COMMUNITIES)
    photo_visibility = _visibility_field(_("who sees the photo"), Visibility.COMMUNITIES)
    about_visibility = _visibility_field(_("who sees the about text"), Visibility.COMMUNITIES)
    skills_visibility = _visibility_field(_("who sees the skills"), Visibility.COMMUNITIES)
    experience_visibility = _visibility_field(_("who sees the experience"),
                                              Visibility.CONNECTIONS)
    education_visibility = _visibility_field(_("who sees the education"), Visibility.CONNECTIONS)
    languages_visibility = _visibility_field(_("who sees the languages"), Visibility.COMMUNITIES)
    region_visibility = _visibility_field(_("who sees the region"), Visibility.COMMUNITIES)
    availability_visibility = _visibility_field(_("who sees the availability"),
                                                Visibility.CONNECTIONS)
    links_visibility = _visibility_field(_("who sees the links"), Visibility.CONNECTIONS)
    recommendations_visibility = _visibility_field(_("who sees the recommendations"),
                                                   Visibility.COMMUNITIES)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["search_name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours_per_month__lte=744),
                                   name="person_hours_within_a_month"),
        ]

    def __str__(self) -> str:
        return self.display_name


class Skill(models.Model):
    """A skill as people name it; one row per normalised name, shared by everyone."""

    name = models.CharField(_("skill"), max_length=60)
    key = models.CharField(max_length=60, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class PersonSkill(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="person_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="holders")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("skill of a person")
        verbose_name_plural = _("skills of people")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "skill"], name="person_skill_once"),
        ]
        indexes = [models.Index(fields=["skill", "person"], name="person_skill_by_skill")]

    def __str__(self) -> str:
        return f"{self.person}: {self.skill}"


class Experience(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="experiences")
    title = models.CharField(_("role or position"), max_length=120)
    organisation_name = models.CharField(_("organisation"), max_length=150, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("experience")
        verbose_name_plural = _("experience")
        ordering = [F("ended_on").desc(nulls_first=True), "-started_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True)
                                   | Q(ended_on__gte=F("started_on")),
                                   name="experience_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class Education(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="educations")
    institution = models.CharField(_("school or institution"), max_length=150)
    qualification = models.CharField(_("qualification"), max_length=150, blank=True)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("education")
        verbose_name_plural = _("education")
        ordering = [F("ended_on").desc(nulls_first=True), "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True)
                                   | Q(ended_on__gte=F("started_on")),
                                   name="education_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.institution


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        COOPERATIVE = "cooperative", _("Cooperative")
        SCHOOL = "school", _("School")
        FOUNDATION = "foundation", _("Foundation")
        SHARED_SERVICE_CENTRE = "shared_service_centre", _("Shared service centre")
        PUBLIC_BODY = "public_body", _("Public body")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    search_name = models.CharField(max_length=200, db_index=True, editable=False, default="")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    headline = models.CharField(_("headline"), max_length=160, blank=True)
    about = models.TextField(_("description"), blank=True, max_length=5000)
    region = models.CharField(_("region"), max_length=100, blank=True)
    region_key = models.CharField(max_length=100, db_index=True, blank=True, editable=False)
    website = models.URLField(_("website"), blank=True, max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="memberships")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="organisation_memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices,
                            default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "account"],
                                    name="organisation_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account} @ {self.organisation} ({self.role})"


class OrganisationInvitation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=OrganisationMembership.Role.choices,
                            default=OrganisationMembership.Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("organisation invitation")
        verbose_name_plural = _("organisation invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class NetworkRole(models.Model):
    """A role of the Weconomics model held by a person or an organisation."""

    class Role(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        PRODUCT_SUPPLIER = "product_supplier", _("Product supplier")
        INTERMEDIARY = "intermediary", _("Intermediary")
        NETWORK_SUPPLIER = "network_supplier", _("Network supplier")
        SUPERVISOR = "supervisor", _("Supervisor")

    class Specialty(models.TextChoices):
        NONE = "", _("None")
        IT = "it", _("IT")
        RESEARCH = "research", _("Research and development")
        COMMUNICATION = "communication", _("Communication")
        SHARED_SERVICES = "shared_services", _("Shared services")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Only network suppliers name what they supply to the network.
    specialty = models.CharField(_("specialty"), max_length=20, choices=Specialty.choices,
                                 blank=True, default="")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("network role")
        verbose_name_plural = _("network roles")
        ordering = ["role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, organisation__isnull=True)
                | Q(person__isnull=True, organisation__isnull=False),
                name="network_role_has_one_holder"),
            models.UniqueConstraint(fields=["person", "role"], condition=Q(person__isnull=False),
                                    name="person_role_once"),
            models.UniqueConstraint(fields=["organisation", "role"],
                                    condition=Q(organisation__isnull=False),
                                    name="organisation_role_once"),
        ]
        indexes = [models.Index(fields=["role", "person"], name="network_role_by_role")]

    def __str__(self) -> str:
        return f"{self.person or self.organisation}: {self.role}"


class ConnectionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        IGNORED = "ignored", _("Ignored")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    sender = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="requests_sent")
    recipient = models.ForeignKey(Person, on_delete=models.CASCADE,
                                  related_name="requests_received")
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("connection request")
        verbose_name_plural = _("connection requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(sender=F("recipient")),
                                   name="connection_request_not_to_self"),
            # One open request per pair and direction; the service also refuses the reverse.
            models.UniqueConstraint(fields=["sender", "recipient"],
                                    condition=Q(status__in=["pending", "ignored"]),
                                    name="connection_request_open_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient} ({self.status})"


class Connection(models.Model):
    """An accepted connection, stored once from each side so lookups need no OR."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="connections")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="connection_once"),
            models.CheckConstraint(condition=~Q(person=F("other")), name="connection_not_to_self"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ↔ {self.other}"


class Block(models.Model):
    blocker = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"], name="block_by_blocked")]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"


class Endorsement(models.Model):
    endorser = models.ForeignKey(Person, on_delete=models.CASCADE,
                                 related_name="endorsements_given")
    person_skill = models.ForeignKey(PersonSkill, on_delete=models.CASCADE,
                                     related_name="endorsements")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endorser", "person_skill"], name="endorse_once"),
        ]

    def __str__(self) -> str:
        return f"{self.endorser} endorses {self.person_skill}"


class Recommendation(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Asked for")
        WRITTEN = "written", _("Waiting for approval")
        APPROVED = "approved", _("Shown on the profile")
        DECLINED = "declined", _("Not shown")

    author = models.ForeignKey(Person, on_delete=models.CASCADE,
                               related_name="recommendations_written")
    subject = models.ForeignKey(Person, on_delete=models.CASCADE,
                                related_name="recommendations_received")
    request_note = models.CharField(_("your request"), max_length=300, blank=True)
    body = models.TextField(_("recommendation"), blank=True, max_length=3000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.REQUESTED)
    created_at = models.DateTimeField(auto_now_add=True)
    written_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-written_at", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(author=F("subject")),
                                   name="recommendation_not_self"),
            models.UniqueConstraint(fields=["author", "subject"],
                                    condition=Q(status__in=["requested", "written"]),
                                    name="recommendation_open_once"),
        ]

    def __str__(self) -> str:
        return f"{self.author} recommends {self.subject}"


class Report(models.Model):
    """A report of a person or organisation to the platform's moderators."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        HARASSMENT = "harassment", _("Harassment or abuse")
        IMPERSONATION = "impersonation", _("Fake profile or impersonation")
        INAPPROPRIATE = "inappropriate", _("Inappropriate content")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Handled")

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, related_name="reports_made")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="reports")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="reports")
    # Kept when the reported profile is deleted, for the moderators' record.
    subject_name = models.CharField(max_length=200)
    # What exactly is reported, when it is more than the profile ("message 12").
    context = models.CharField(max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject_name}: {self.reason}"


class Follow(models.Model):
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="follows")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "organisation"], name="follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account} follows {self.organisation}"


class OrganisationPost(models.Model):
    """A news item an organisation publishes to its followers."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="org_post_recent")]

    def __str__(self) -> str:
        return self.title
