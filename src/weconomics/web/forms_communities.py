"""Forms of the community pages; the rules themselves live in communities.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from weconomics.communities import services
from weconomics.communities.errors import CommunityError
from weconomics.communities.models import Community, DomainKind, Membership
from weconomics.identity.models import Account, clean_display_text
from weconomics.web.forms_people import limit_file_size

Role = Membership.Role


def _single_line(value: str) -> str:
    try:
        return clean_display_text(value or "")
    except ValueError:
        raise forms.ValidationError(_("Use no line breaks or control characters.")) from None


def _text(value: str) -> str:
    return (value or "").replace("\x00", "").strip()


def active_domain_kinds():
    return DomainKind.objects.filter(is_active=True).order_by("position", "slug")


class DirectoryForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _(
                            "Name, purpose or target group")}))
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Any kind")), *Community.Kind.choices])
    mine = forms.BooleanField(label=_("Only my communities"), required=False)

    def criteria(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {key: value for key, value in (("q", data["q"].strip()), ("kind", data["kind"]),
                                              ("mine", data["mine"])) if value}


# --- starting a community: one form per step ----------------------------------------------

class StartStepOne(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.CharField(
        label=_("Short name"), max_length=80, required=False,
        help_text=_("Used in the address /c/short-name/: letters, digits and hyphens. "
                    "Leave empty to make one from the name."))
    kind = forms.ChoiceField(label=_("Kind of community"), choices=Community.Kind.choices,
                             widget=forms.RadioSelect,
                             help_text=_("The kind fills in sensible settings and domains; "
                                         "you can change them in the next steps."))
    purpose = forms.CharField(
        label=_("Purpose"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the community is for: the goal you share."),
        error_messages={"required": _("State the community's purpose.")})

    def clean_name(self):
        name = _single_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give the community a name."))
        return name

    def clean_slug(self):
        raw = _single_line(self.cleaned_data["slug"])
        if not raw:
            return ""
        try:
            slug = services.clean_slug(raw)
        except CommunityError as error:
            raise forms.ValidationError(str(error)) from None
        if Community.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("The short name “%(slug)s” is taken.") % {"slug": slug})
        return slug

    def clean_purpose(self):
        purpose = _text(self.cleaned_data["purpose"])
        if not purpose:
            raise forms.ValidationError(_("State the community's purpose."))
        return purpose


class StartStepTwo(forms.Form):
    audience = forms.CharField(
        label=_("Target group"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who the community is for."),
        error_messages={"required": _("State who the community is for.")})
    visibility = forms.ChoiceField(label=_("Who can see the community"),
                                   choices=Community.Visibility.choices,
                                   widget=forms.RadioSelect)
    join_policy = forms.ChoiceField(label=_("Who can join"), choices=Community.JoinPolicy.choices,
                                    widget=forms.RadioSelect)

    def clean_audience(self):
        audience = _text(self.cleaned_data["audience"])
        if not audience:
            raise forms.ValidationError(_("State who the community is for."))
        return audience


class StartStepThree(forms.Form):
    domains = forms.MultipleChoiceField(
        label=_("Domains to open"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Each domain is a section of the community's channel with its own page. "
                    "You can open and close domains later."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domains"].choices = [(k.slug, k.name) for k in active_domain_kinds()]


# --- joining -------------------------------------------------------------------------------

class JoinForm(forms.Form):
    message = forms.CharField(label=_("A message for the stewards (optional)"), max_length=1000,
                              required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- managing ------------------------------------------------------------------------------

class SettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    audience = forms.CharField(label=_("Target group"), max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    visibility = forms.ChoiceField(label=_("Who can see the community"),
                                   choices=Community.Visibility.choices,
                                   widget=forms.RadioSelect)
    join_policy = forms.ChoiceField(label=_("Who can join"), choices=Community.JoinPolicy.choices,
                                    widget=forms.RadioSelect)
    review_publications = forms.BooleanField(
        label=_("Stewards approve publications before they show"), required=False)
    colour = forms.CharField(label=_("Main colour"), max_length=7,
                             widget=forms.TextInput(attrs={"type": "color"}))
    accent_colour = forms.CharField(label=_("Accent colour"), max_length=7,
                                    widget=forms.TextInput(attrs={"type": "color"}))
    host = forms.CharField(
        label=_("Own host name"), max_length=253, required=False,
        help_text=_("Optional, like coaches.example.org. Point the name at this platform "
                    "first; the channel then answers there too."))

    FIELDS = ("name", "purpose", "audience", "visibility", "join_policy",
              "review_publications", "colour", "accent_colour", "host")

    @classmethod
    def for_community(cls, community: Community):
        return cls(initial={key: getattr(community, key) or "" for key in cls.FIELDS})

    def clean_name(self):
        name = _single_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give the community a name."))
        return name

    def clean_purpose(self):
        return _text(self.cleaned_data["purpose"])

    def clean_audience(self):
        return _text(self.cleaned_data["audience"])

    def clean_host(self):
        return _single_line(self.cleaned_data["host"]).lower()


class LogoForm(forms.Form):
    logo = forms.FileField(label=_("New logo"),
                           help_text=_("A JPEG, PNG or WebP image; it is shown square."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_file_size(self.fields["logo"])


class DomainOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("Domain"))
    intro = forms.CharField(label=_("Introduction (optional)"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, opened=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.slug, k.name) for k in active_domain_kinds()
                                       if k.slug not in set(opened)]


class DomainIntroForm(forms.Form):
    intro = forms.CharField(label=_("Introduction"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("Shown at the top of the domain's page."))


STEWARD_ROLES = [(Role.MEMBER.value, Role.MEMBER.label), (Role.STEWARD.value, Role.STEWARD.label)]


class InviteEmailForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), choices=STEWARD_ROLES, initial=Role.MEMBER)


class InviteLinkForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=STEWARD_ROLES, initial=Role.MEMBER)
    max_uses = forms.IntegerField(label=_("How many people can use it"), min_value=1,
                                  max_value=services.MAX_LINK_USES, initial=25)
    days = forms.IntegerField(label=_("Days valid"), min_value=1,
                              max_value=services.MAX_INVITATION_DAYS,
                              initial=services.INVITATION_DAYS)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=STEWARD_ROLES)


class AllianceForm(forms.Form):
    partner = forms.SlugField(
        label=_("Short name of the other community"), max_length=80,
        help_text=_("The part after /c/ in its address, like data-leren."))
    message = forms.CharField(label=_("Message (optional)"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class SupervisorForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the account"), max_length=254)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        account = Account.objects.filter(email__iexact=email, is_active=True).first()
        if account is None:
            raise forms.ValidationError(_("There is no account with this email address."))
        self.account = account
        return email


class ConsentForm(forms.Form):
    share_profile = forms.BooleanField(required=False)
