"""Forms of a community's wiki."""

from django import forms
from django.utils.translation import gettext_lazy as _

from weconomics.wiki.models import Wiki
from weconomics.wiki.services import SUMMARY_MAX
from weconomics.wiki.text import TEXT_MAX_BYTES, TITLE_MAX


class PageEditForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), strip=False, max_length=TEXT_MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 22, "class": "wiki-textarea", "spellcheck": "true"}),
        help_text=_("Markdown: # headings, **bold**, *italic*, lists, tables, ``` code; "
                    "[[Page title]] or [[Page title|text]] links to a wiki page."))
    summary = forms.CharField(label=_("Summary of your change"), required=False,
                              max_length=SUMMARY_MAX)
    minor = forms.BooleanField(label=_("This is a minor edit"), required=False)
    base = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service gives the clear message about emptiness and size.
        self.fields["text"].required = False
        self.fields["text"].max_length = None
        self.fields["text"].validators = []


class NewPageForm(forms.Form):
    title = forms.CharField(label=_("Title of a new page"), max_length=TITLE_MAX)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the wiki"), required=False, max_length=200)


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=SUMMARY_MAX)


class EditorsForm(forms.Form):
    editors = forms.ChoiceField(label=_("Who may edit pages"), choices=Wiki.Editors.choices,
                                widget=forms.RadioSelect)
