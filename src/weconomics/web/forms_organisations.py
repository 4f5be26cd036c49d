"""Forms of the organisation pages; the rules themselves live in contacts.organisations."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from weconomics.contacts.models import (
    NetworkRole,
    Organisation,
    OrganisationMembership,
    Report,
)
from weconomics.contacts.organisations import RESERVED_SLUGS
from weconomics.contacts.services import SELF_CHOSEN
from weconomics.identity.models import clean_display_text

Role = OrganisationMembership.Role


def _single_line(value: str) -> str:
    try:
        return clean_display_text(value or "")
    except ValueError:
        raise forms.ValidationError(_("Use no line breaks or control characters.")) from None


class OrganisationForm(forms.Form):
    """The organisation's own profile, for creating and for editing."""

    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.CharField(
        label=_("Short name"), max_length=80, required=False,
        help_text=_("Used in the address of the page: letters, digits and hyphens. "
                    "Leave empty to make one from the name."))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Organisation.Kind.choices])
    headline = forms.CharField(label=_("Headline"), max_length=160, required=False,
                               help_text=_("One line about what the organisation does."))
    about = forms.CharField(
        label=_("Description"), max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: *italic*, **bold**, lists and links. No images or HTML."))
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    website = forms.URLField(label=_("Website"), max_length=300, required=False,
                             assume_scheme="https",
                             widget=forms.URLInput(attrs={"placeholder": "https://"}))

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if organisation is not None:
            self.fields["slug"].required = True
            self.fields["slug"].help_text = _(
                "Used in the address of the page. Changing it breaks links to the old address.")

    def clean_name(self):
        name = _single_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give the organisation a name."))
        return name

    def clean_slug(self):
        raw = _single_line(self.cleaned_data["slug"])
        if not raw:
            return ""
        slug = slugify(raw)
        if len(slug) < 2 or slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                _("Choose another short name (letters, digits and hyphens)."))
        taken = Organisation.objects.filter(slug=slug)
        if self.organisation is not None:
            taken = taken.exclude(pk=self.organisation.pk)
        if taken.exists():
            raise forms.ValidationError(_("The short name “%(slug)s” is taken.") % {"slug": slug})
        return slug

    def clean_headline(self):
        return _single_line(self.cleaned_data["headline"])

    def clean_region(self):
        return _single_line(self.cleaned_data["region"])

    def clean_about(self):
        return self.cleaned_data["about"].replace("\x00", "")

    def changes(self) -> dict:
        """The fields for the service; an empty short name lets it choose one."""
        data = dict(self.cleaned_data)
        if not data.get("slug"):
            data.pop("slug", None)
        return data


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Any kind")), *Organisation.Kind.choices])
    role = forms.ChoiceField(label=_("Role in the network"), required=False,
                             choices=[("", _("Any role")), *NetworkRole.Role.choices])
    region = forms.CharField(label=_("Region"), max_length=100, required=False)

    def criteria(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value.strip() for key, value in self.cleaned_data.items() if value}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, may_invite_owner: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_invite_owner:
            self.fields["role"].choices = [(v, lbl) for v, lbl in Role.choices
                                           if v != Role.OWNER]


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class NewsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(
        label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown: *italic*, **bold**, lists and links. Followers are told."))

    def clean_title(self):
        title = _single_line(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(self.fields["title"].error_messages["required"])
        return title


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Report.Reason.choices)
    details = forms.CharField(label=_("Details"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("What is wrong? Only the moderators read this."))


class NetworkRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[
        (value, label) for value, label in NetworkRole.Role.choices if value in SELF_CHOSEN])
    specialty = forms.ChoiceField(
        label=_("Specialty"), required=False, choices=NetworkRole.Specialty.choices,
        help_text=_("Only for network suppliers: what you supply to the network."))


class SupervisorForm(forms.Form):
    handle = forms.CharField(
        label=_("Profile address"), max_length=80,
        help_text=_("The last part of the person's profile address, as in /people/anna-de-vries/."))

    def clean_handle(self):
        value = _single_line(self.cleaned_data["handle"]).strip("/")
        # Accept a pasted address as well as the bare handle.
        return slugify(value.rsplit("/", 1)[-1])
