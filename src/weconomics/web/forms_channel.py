"""Forms of the channel pages and articles; the rules themselves live in communities.board
and communities.publications (the forms only shape the input for them)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from weconomics.communities.board import BODY_MAX, TITLE_MAX
from weconomics.identity.models import clean_display_text


def _single_line(value: str) -> str:
    try:
        return clean_display_text(value or "")
    except ValueError:
        raise forms.ValidationError(_("Use no line breaks or control characters.")) from None


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX,
                            error_messages={"required": _("Give the topic a title.")})
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    body = forms.CharField(label=_("Text"), max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           error_messages={"required": _("Write something first.")})

    def __init__(self, *args, domains=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["domain"]
        else:
            self.fields["domain"].choices = [("", _("No domain in particular")),
                                             *((d.slug, d.name) for d in domains)]

    def clean_title(self):
        title = _single_line(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(_("Give the topic a title."))
        return title

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write something first."))
        return body


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": _("Write something first.")})

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write something first."))
        return body


class ChannelSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150,
                            error_messages={"required": _("Give the article a title.")})
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False,
                              help_text=_("One or two sentences shown in the channels' lists."))
    body = forms.CharField(
        label=_("Text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": _("Write the article's text.")},
        help_text=_("Markdown: *italic*, **bold**, lists and links. No images or HTML."))

    def clean_title(self):
        title = _single_line(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(_("Give the article a title."))
        return title

    def clean_summary(self):
        return _single_line(self.cleaned_data["summary"])

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write the article's text."))
        return body
