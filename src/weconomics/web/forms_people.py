"""Forms of the people pages: the directory search, the profile editor and network actions.

The forms check the shape of what people type; the rules themselves (who may connect,
what a profile may hold) live in `weconomics.contacts.services`, whose errors the views
show on these forms.
"""

import re

from django import forms
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from weconomics.communities.models import Community, Membership
from weconomics.contacts.models import SECTIONS, NetworkRole, Person, Report, Visibility
from weconomics.contacts.services import MAX_LANGUAGES, MAX_LINKS, MAX_SKILLS, SELF_CHOSEN
from weconomics.identity.models import clean_display_text

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


def language_name(code: str) -> str:
    """The name of a language in the current interface language ("nl" -> "Dutch")."""
    info = LANG_INFO.get(code)
    return gettext(info["name"]) if info else code


def language_choices(extra_codes=()) -> list[tuple[str, str]]:
    codes = {code for code in LANG_INFO if LANGUAGE_CODE.match(code)} | set(extra_codes)
    named = sorted(((code, language_name(code)) for code in codes), key=lambda c: c[1].casefold())
    return [("", "—"), *named]


def single_line(value: str) -> str:
    try:
        return clean_display_text(value or "")
    except ValueError:
        raise forms.ValidationError(_("Use no line breaks or control characters.")) from None


def _text(label, max_length, *, required=False, **attrs):
    return forms.CharField(label=label, max_length=max_length, required=required,
                           widget=forms.TextInput(attrs=attrs))


def _area(label, max_length, *, required=False, rows=4, **attrs):
    return forms.CharField(label=label, max_length=max_length, required=required, strip=True,
                           widget=forms.Textarea(attrs={"rows": rows, **attrs}))


def _date(label, *, required=False):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class SingleLineMixin:
    """Refuse line breaks and control characters in every one-line text field."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if isinstance(value, str) and isinstance(field.widget, forms.TextInput):
                try:
                    cleaned[name] = single_line(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned


# --- the directory ----------------------------------------------------------------------

class DirectorySearchForm(forms.Form):
    q = _text(_("Name"), 100, type="search", placeholder=_("For example: Anna"))
    skill = _text(_("Skill"), 60, placeholder=_("For example: coaching"))
    role = forms.ChoiceField(label=_("Role in the network"), required=False)
    region = _text(_("Region"), 100, placeholder=_("For example: Utrecht"))
    community = forms.ChoiceField(label=_("Community"), required=False)

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Any role")), *NetworkRole.Role.choices]
        self.fields["community"].choices = [("", _("Any community")), *[
            (c.slug, c.name) for c in listable_communities(viewer)]]

    def criteria(self) -> dict[str, str] | None:
        """The search criteria, or None when the form is invalid (and shows why)."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        return {key: value.strip() for key, value in self.cleaned_data.items() if value}


def listable_communities(viewer):
    """Communities whose members the viewer may list: public ones and their own."""
    # Only slug and name are needed: no member counts, and no join on all memberships
    # (which made this take minutes with 100,000 people). Public and own communities are
    # always among the visible ones, so this is the same set as visible_communities gives.
    public = Q(visibility=Community.Visibility.PUBLIC)
    if viewer is None or not viewer.is_authenticated:
        return Community.objects.filter(public).order_by("name")
    mine = Exists(Membership.objects.filter(community=OuterRef("pk"), account=viewer))
    return Community.objects.filter(public | mine).order_by("name")


# --- actions on a profile ---------------------------------------------------------------

class ConnectForm(forms.Form):
    note = _area(_("A short note (optional)"), 300, rows=3,
                 placeholder=_("Say why you would like to connect."))


class AskRecommendationForm(forms.Form):
    note = _area(_("What should the recommendation be about? (optional)"), 300, rows=3)


class WriteRecommendationForm(forms.Form):
    body = _area(_("Your recommendation"), 3000, required=True, rows=6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _(
            "It shows on their profile once they approve it. You can use Markdown.")


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Report.Reason.choices)
    details = _area(_("Details (optional)"), 2000, rows=3)


# --- the profile editor -----------------------------------------------------------------

VISIBILITY_LABELS = {
    "profile": _("Who can find your profile"),
    "photo": _("Who sees your photo"),
    "about": _("Who sees your about text"),
    "skills": _("Who sees your skills"),
    "experience": _("Who sees your experience"),
    "education": _("Who sees your education"),
    "languages": _("Who sees your languages"),
    "region": _("Who sees your region"),
    "availability": _("Who sees your availability"),
    "links": _("Who sees your links"),
    "recommendations": _("Who sees your recommendations"),
}


class ProfileForm(SingleLineMixin, forms.Form):
    """Everything of a profile that is not a list of entries or the photo."""

    display_name = _text(_("Display name"), 150, required=True, autocomplete="name")
    handle = forms.SlugField(label=_("Profile address"), max_length=80, min_length=3,
                             help_text=_("Letters, digits and hyphens; your page is /people/"
                                         "<address>/."))
    headline = _text(_("Headline"), 160, placeholder=_("For example: Team coach and trainer"))
    about = _area(_("Tell people who you are and what you do"), 5000, rows=8)
    region = _text(_("Where you mostly work"), 100, placeholder=_("For example: Utrecht"))
    skills = forms.CharField(label=_("Your skills"), required=False, max_length=MAX_SKILLS * 62,
                             help_text=_("Separate skills with commas, most important first."),
                             widget=forms.TextInput())
    hours_per_month = forms.IntegerField(label=_("Hours per month"), required=False,
                                         min_value=0, max_value=744)
    available_from = _date(_("Available from"))
    roles = forms.MultipleChoiceField(
        label=_("I take part as"), required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(r.value, r.label) for r in NetworkRole.Role if r in SELF_CHOSEN])
    specialty = forms.ChoiceField(label=_("As a network supplier you supply"), required=False,
                                  choices=NetworkRole.Specialty.choices)
    # How many rows the page showed; the form reads them back to know which rows came.
    language_rows = forms.CharField(widget=forms.HiddenInput, required=False)
    link_rows = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, person: Person, **kwargs):
        self.person = person
        data = args[0] if args else kwargs.get("data")
        language_rows = self._rows(data, "language_rows", len(person.languages), MAX_LANGUAGES)
        link_rows = self._rows(data, "link_rows", len(person.links), MAX_LINKS)
        kwargs.setdefault("initial", self.initial_from(person, language_rows, link_rows))
        super().__init__(*args, **kwargs)
        self.fields["about"].help_text = _(
            "Markdown works: *italic*, **bold**, lists with a dash, and links. No images.")
        levels = [("", "—"), *Person.LanguageLevel.choices]
        codes = language_choices(item.get("code", "") for item in person.languages)
        for i in range(language_rows):
            self.fields[f"language_{i}"] = forms.ChoiceField(
                label=_("Language %(n)d") % {"n": i + 1}, required=False, choices=codes)
            self.fields[f"level_{i}"] = forms.ChoiceField(
                label=_("Level of language %(n)d") % {"n": i + 1}, required=False,
                choices=levels)
        for i in range(link_rows):
            self.fields[f"link_label_{i}"] = _text(_("Label of link %(n)d") % {"n": i + 1}, 60,
                                                   placeholder=_("Website"))
            self.fields[f"link_url_{i}"] = forms.URLField(
                label=_("Address of link %(n)d") % {"n": i + 1}, required=False,
                max_length=300, assume_scheme="https",
                widget=forms.URLInput(attrs={"placeholder": "https://"}))
        for section in SECTIONS:
            self.fields[f"{section}_visibility"] = forms.ChoiceField(
                label=VISIBILITY_LABELS[section], choices=Visibility.choices)
        self.language_rows, self.link_rows = language_rows, link_rows

    @staticmethod
    def _rows(data, key, existing, most):
        try:
            asked = int(data.get(key)) if data is not None else 0
        except (TypeError, ValueError):
            asked = 0
        # Always a free row or two to add one more.
        return max(1, min(most, asked or max(existing + 1, 2)))

    @staticmethod
    def initial_from(person: Person, language_rows: int, link_rows: int) -> dict:
        initial = {
            "display_name": person.display_name, "handle": person.handle,
            "headline": person.headline, "about": person.about, "region": person.region,
            "hours_per_month": person.hours_per_month, "available_from": person.available_from,
            "skills": ", ".join(ps.skill.name for ps in person.person_skills.all()),
            "roles": [r.role for r in person.roles.all() if r.role in SELF_CHOSEN],
            "specialty": next((r.specialty for r in person.roles.all()
                               if r.role == NetworkRole.Role.NETWORK_SUPPLIER), ""),
            "language_rows": language_rows, "link_rows": link_rows,
        }
        for i, item in enumerate(person.languages[:language_rows]):
            initial[f"language_{i}"], initial[f"level_{i}"] = item.get("code"), item.get("level")
        for i, item in enumerate(person.links[:link_rows]):
            initial[f"link_label_{i}"] = item.get("label")
            initial[f"link_url_{i}"] = item.get("url")
        for section in SECTIONS:
            initial[f"{section}_visibility"] = getattr(person, f"{section}_visibility")
        return initial

    def clean_skills(self):
        names = [single_line(name) for name in self.cleaned_data["skills"].split(",")]
        names = [name for name in names if name]
        if any(len(name) > 60 for name in names):
            raise forms.ValidationError(_("A skill name can have at most 60 characters."))
        if len(names) > MAX_SKILLS:
            raise forms.ValidationError(_("Give at most %(n)d skills.") % {"n": MAX_SKILLS})
        return names

    def clean(self):
        cleaned = super().clean()
        for i in range(self.language_rows):
            code, level = cleaned.get(f"language_{i}"), cleaned.get(f"level_{i}")
            if code and not level:
                self.add_error(f"level_{i}", _("Choose a level for this language."))
            elif level and not code:
                self.add_error(f"language_{i}", _("Choose the language."))
        for i in range(self.link_rows):
            if cleaned.get(f"link_label_{i}") and not cleaned.get(f"link_url_{i}"):
                self.add_error(f"link_url_{i}", _("Give the address of this link."))
        if (NetworkRole.Role.NETWORK_SUPPLIER not in cleaned.get("roles", [])
                and cleaned.get("specialty")):
            cleaned["specialty"] = ""
        return cleaned

    def language_pairs(self):
        return [(self[f"language_{i}"], self[f"level_{i}"]) for i in range(self.language_rows)]

    def link_pairs(self):
        return [(self[f"link_label_{i}"], self[f"link_url_{i}"]) for i in range(self.link_rows)]

    def profile_changes(self) -> dict:
        """The cleaned data in the shape `services.update_profile` takes."""
        data = self.cleaned_data
        changes = {key: data[key] for key in ("display_name", "handle", "headline", "about",
                                              "region", "hours_per_month", "available_from")}
        changes["languages"] = [
            {"code": data[f"language_{i}"], "level": data[f"level_{i}"]}
            for i in range(self.language_rows) if data.get(f"language_{i}")]
        changes["links"] = [
            {"label": data.get(f"link_label_{i}", ""), "url": data[f"link_url_{i}"]}
            for i in range(self.link_rows) if data.get(f"link_url_{i}")]
        for section in SECTIONS:
            changes[f"{section}_visibility"] = data[f"{section}_visibility"]
        return changes


class PhotoForm(forms.Form):
    # A plain file field: the checks and re-encoding happen in contacts.photos.
    photo = forms.FileField(label=_("New photo"), widget=forms.FileInput(
        attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = gettext(
            "JPEG, PNG or WebP up to %(mb)d MB, at least 64 pixels on each side. We keep a "
            "square copy without location or camera data.") % {"mb": photo_limit_mb()}
        limit_file_size(self.fields["photo"])


def photo_limit_mb() -> int:
    return settings.PHOTO_MAX_BYTES // (1024 * 1024)


def limit_file_size(field: forms.FileField) -> None:
    """Let the browser refuse a file over the photo limit before it is sent (site.js):
    a too-large file gets this message beside the field instead of a bare 413 page."""
    field.widget.attrs.update({
        "data-max-bytes": settings.PHOTO_MAX_BYTES,
        "data-too-large": gettext("This file is too large: at most %(mb)d MB. Choose a smaller "
                                  "file.") % {"mb": photo_limit_mb()}})


class ExperienceForm(SingleLineMixin, forms.Form):
    title = _text(_("Role or position"), 120, required=True)
    organisation_name = _text(_("Organisation"), 150)
    started_on = _date(_("From"), required=True)
    ended_on = _date(_("Until (empty if you still do this)"))
    description = _area(_("Description"), 2000, rows=3)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_on"), cleaned.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("The end date cannot be before the start date."))
        return cleaned


class EducationForm(SingleLineMixin, forms.Form):
    institution = _text(_("School or institution"), 150, required=True)
    qualification = _text(_("Qualification"), 150)
    started_on = _date(_("From"))
    ended_on = _date(_("Until"))
    description = _area(_("Description"), 2000, rows=3)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_on"), cleaned.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("The end date cannot be before the start date."))
        return cleaned
