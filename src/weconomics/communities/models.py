"""Communities and their members (the Communities issue builds domains and channels on this)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    purpose = models.TextField(_("purpose"))
    audience = models.TextField(_("target group"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["community__name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "account"], name="community_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account} in {self.community} ({self.role})"
