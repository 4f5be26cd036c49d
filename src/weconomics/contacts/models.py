"""Organisations and the people who act for them (the Contact module grows here)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    about = models.TextField(_("description"), blank=True)
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
