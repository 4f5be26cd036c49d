"""Text people write: Markdown rendered to safe HTML, and keys for searching names."""

import unicodedata

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

# No images: an image in Markdown would load from another host.
ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
                "h3", "h4", "hr"}


def render_markdown(source: str) -> SafeString:
    """Render Markdown to HTML that can show nothing but text, lists and plain links."""
    html = markdown.markdown(source or "", extensions=["sane_lists"], output_format="html")
    # Headings people write become small headings inside the profile.
    for level, to in (("h1", "h3"), ("h2", "h3"), ("h5", "h4"), ("h6", "h4")):
        html = html.replace(f"<{level}>", f"<{to}>").replace(f"</{level}>", f"</{to}>")
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                        url_schemes={"http", "https", "mailto"},
                        link_rel="nofollow noopener noreferrer ugc")
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just sanitised it


def search_key(text: str) -> str:
    """Fold text for searching: lower case, no accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
