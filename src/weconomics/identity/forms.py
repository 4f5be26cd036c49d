from allauth.mfa.webauthn.forms import AddWebAuthnForm
from django import forms
from django.utils.translation import gettext_lazy as _

from weconomics.identity.models import PersonalAccessToken, clean_display_text


def _single_line(value: str) -> str:
    try:
        return clean_display_text(value)
    except ValueError:
        raise forms.ValidationError(_("Use no line breaks or control characters.")) from None


def _clean_name(value: str) -> str:
    value = _single_line(value)
    if not value:
        raise forms.ValidationError(_("Fill in your name."))
    return value


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    name = forms.CharField(
        label=_("Your name"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Full name")}),
    )
    field_order = ["name", "email", "password1", "password2"]

    def clean_name(self):
        return _clean_name(self.cleaned_data["name"])

    def signup(self, request, user):
        user.name = self.cleaned_data["name"]
        user.language = getattr(request, "LANGUAGE_CODE", "") or ""
        user.save(update_fields=["name", "language"])


class AddPasskeyForm(AddWebAuthnForm):
    """allauth's add-key form, with a translated label for the key's name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name")


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)

    def clean_name(self):
        return _clean_name(self.cleaned_data["name"])


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100,
        help_text=_("What the token is for, so you recognise it later."),
    )
    scope = forms.ChoiceField(label=_("Access"), choices=PersonalAccessToken.Scope.choices,
                              widget=forms.RadioSelect, initial=PersonalAccessToken.Scope.READ)
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"), coerce=int, initial=90,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("1 year")), (0, _("No expiry"))],
    )

    def clean_name(self):
        name = _single_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"])
        return name


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my data are removed and cannot be restored."),
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        if not account.has_usable_password():
            del self.fields["password"]
            self.fields["email"] = forms.CharField(label=_("Type your email address"))

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.account.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.account.email.lower():
            raise forms.ValidationError(_("That is not your email address."))
        return email


