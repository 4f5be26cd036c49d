"""Wiki text: titles, Markdown with [[wiki links]] rendered safely, diffs and merges."""

import difflib
import re
import xml.etree.ElementTree as etree
from urllib.parse import quote

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from weconomics.wiki.errors import Invalid

TITLE_MAX = 200
TEXT_MAX_BYTES = 500_000
SPECIAL = "special:"
# MediaWiki's forbidden title characters, and the slash (it would split the address).
FORBIDDEN = set("/#<>[]|{}\\")
WIKI_LINK = re.compile(r"\[\[([^\[\]\|\n]{1,250})(?:\|([^\[\]\n]{1,250}))?\]\]")
# No images: an image would load from another host. Headings keep their ids for the contents.
TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h2",
        "h3", "h4", "h5", "hr", "table", "thead", "tbody", "tr", "th", "td", "del"}
ATTRIBUTES = {"a": {"href"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"},
              "th": {"align"}, "td": {"align"}}
TOC_AT_LEAST = 3


def clean_title(value) -> str:
    """The canonical title: spaces for underscores, single spaces, first letter capital."""
    title = str(value or "").replace("_", " ")
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in title):
        raise Invalid(_("A title cannot contain line breaks or control characters."))
    title = " ".join(title.split())
    if not title:
        raise Invalid(_("Give the page a title."))
    if len(title) > TITLE_MAX:
        raise Invalid(_("A title may have at most %(limit)d characters.") % {"limit": TITLE_MAX})
    bad = sorted(set(title) & FORBIDDEN)
    if bad:
        raise Invalid(_("A title cannot contain these characters: %(chars)s")
                      % {"chars": " ".join(bad)})
    if title.casefold().startswith(SPECIAL):
        raise Invalid(_("Titles starting with “Special:” are reserved."))
    return title[0].upper() + title[1:]


def title_key(title: str) -> str:
    """How a title appears in an address: underscores for spaces."""
    return quote(title.replace(" ", "_"), safe=":()'!,*@$;=+-._~")


def clean_text(value) -> str:
    text = str(value or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise Invalid(_("The page is empty. Write something first."))
    size = len(text.encode("utf-8"))
    if size > TEXT_MAX_BYTES:
        raise Invalid(_("The page is too long: %(size)d kB, at most %(limit)d kB.")
                      % {"size": (size + 999) // 1000, "limit": TEXT_MAX_BYTES // 1000})
    return text


def byte_size(text: str) -> int:
    return len(text.encode("utf-8"))


# --- rendering --------------------------------------------------------------------------

class _WikiLinks(InlineProcessor):
    def __init__(self, base: str, existing: set[str]):
        super().__init__(WIKI_LINK.pattern)
        self.base = base
        self.existing = existing

    def handleMatch(self, m, data):  # noqa: N802 - markdown's API
        label = (m.group(2) or m.group(1)).strip()
        element = etree.Element("a")
        try:
            title = clean_title(m.group(1))
        except Invalid:
            return None, None, None
        href = self.base + title_key(title)
        if title not in self.existing:
            href += "/edit/"
            element.set("class", "new")
            element.set("title", _("%(title)s (this page does not exist yet)") % {"title": title})
        element.set("href", href)
        element.text = label
        return element, m.start(0), m.end(0)


class _WikiLinkExtension(Extension):
    def __init__(self, base: str, existing: set[str]):
        super().__init__()
        self.base, self.existing = base, existing

    def extendMarkdown(self, md):  # noqa: N802 - markdown's API
        # Before markdown's own links (priority 160), so [[x]] is not read as [x].
        md.inlinePatterns.register(_WikiLinks(self.base, self.existing), "wiki_link", 175)


def linked_titles(text: str) -> set[str]:
    titles = set()
    for match in WIKI_LINK.finditer(text or ""):
        try:
            titles.add(clean_title(match.group(1)))
        except Invalid:
            continue
    return titles


def _slug(value: str, separator: str) -> str:
    words = re.sub(r"[^\w\s-]", "", value.lower()).split()
    # Prefixed, so a heading's id can never clash with one of the site's own.
    return "s-" + separator.join(words)[:80]


def render(text: str, *, base: str, existing: set[str]) -> tuple[SafeString, list[dict]]:
    """Render a page's Markdown to safe HTML; return it with its table of contents.

    base is the wiki's address ("/c/slug/wiki/"); existing the titles that exist, so links
    to missing pages show red and open "create this page".
    """
    md = markdown.Markdown(extensions=[
        "sane_lists", "tables", "fenced_code",
        _WikiLinkExtension(base, existing),
        "toc"], extension_configs={"toc": {"slugify": _slug}},
        output_format="html")
    html = md.convert(text or "")
    # A page's own h1 would compete with its title: headings start at h2.
    for level, to in (("h1", "h2"), ("h6", "h5")):
        html = re.sub(rf"<(/?){level}([ >])", rf"<\g<1>{to}\g<2>", html)
    cleaned = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES,
                        tag_attribute_values={"a": {"class": {"new"}}},
                        url_schemes={"http", "https", "mailto"},
                        link_rel="nofollow noopener noreferrer ugc")
    toc = _flatten(md.toc_tokens)
    return mark_safe(cleaned), (toc if len(toc) >= TOC_AT_LEAST else [])  # noqa: S308


def _flatten(tokens, depth=0) -> list[dict]:
    rows = []
    for token in tokens:
        rows.append({"id": token["id"], "name": re.sub(r"<[^>]+>", "", token["name"]),
                     "depth": depth})
        rows.extend(_flatten(token.get("children", []), depth + 1))
    return rows


# --- diff -------------------------------------------------------------------------------

# Word by word only for changed blocks this small: comparing words is quadratic at worst.
WORD_DIFF_AT_MOST = 20_000
_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _word_diff(old: str, new: str) -> str:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f'<del class="diff-del">{escape("".join(a[i1:i2]))}</del>')
        if j2 > j1:
            out.append(f'<ins class="diff-ins">{escape("".join(b[j1:j2]))}</ins>')
    return "".join(out)


def _unchanged(lines: list[str], *, first: bool, last: bool, context: int) -> str:
    """Unchanged lines, long runs cut down to their context around the changes."""
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    if len(lines) <= keep_head + keep_tail + 1:
        return escape("".join(lines))
    skipped = len(lines) - keep_head - keep_tail
    marker = ngettext("⋯ %(count)d unchanged line ⋯", "⋯ %(count)d unchanged lines ⋯",
                      skipped) % {"count": skipped}
    return (escape("".join(lines[:keep_head])) + f'<span class="diff-skip">{escape(marker)}'
            "</span>\n" + escape("".join(lines[len(lines) - keep_tail:])))


def inline_diff(old: str, new: str, *, context: int = 3) -> SafeString:
    """An inline, word-level diff of two texts as HTML (<del> and <ins>, all else escaped).

    Lines are compared first, then the words of changed blocks, so a long page stays quick;
    long unchanged runs show only `context` lines around each change.
    """
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out = []
    # autojunk (difflib's default) keeps a page of many repeated lines quick.
    opcodes = difflib.SequenceMatcher(None, a, b).get_opcodes()
    for number, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            out.append(_unchanged(a[i1:i2], first=number == 0,
                                  last=number == len(opcodes) - 1, context=context))
        elif op == "replace" and (i2 - i1) * (j2 - j1) <= 10_000 and sum(
                map(len, a[i1:i2])) + sum(map(len, b[j1:j2])) <= WORD_DIFF_AT_MOST:
            out.append(_word_diff("".join(a[i1:i2]), "".join(b[j1:j2])))
        else:
            if i2 > i1:
                out.append(f'<del class="diff-del">{escape("".join(a[i1:i2]))}</del>')
            if j2 > j1:
                out.append(f'<ins class="diff-ins">{escape("".join(b[j1:j2]))}</ins>')
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped


# --- three-way merge --------------------------------------------------------------------

def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    return [(i1, i2, other[j1:j2])
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, other).get_opcodes()
            if op != "equal"]


def merge3(base: str, theirs: str, mine: str) -> str | None:
    """Merge two edits of the same base line by line; None when their changes touch."""
    def lines(text):
        # Every line ends in a newline, so an addition at the end touches nothing.
        return (text if text.endswith("\n") or not text else text + "\n").splitlines(
            keepends=True)

    b = lines(base)
    ours, other = _hunks(b, lines(mine)), _hunks(b, lines(theirs))
    # One sweep over both sides' changes (each side's are in order, apart): overlapping or
    # touching changes (and two insertions at one place) conflict, unless they are the same.
    i = j = 0
    while i < len(ours) and j < len(other):
        (s1, e1, r1), (s2, e2, r2) = ours[i], other[j]
        if s1 <= e2 and s2 <= e1 and (s1, e1, r1) != (s2, e2, r2):
            return None
        if e1 <= e2:
            i += 1
        else:
            j += 1
    hunks = sorted({(s, e, tuple(r)) for s, e, r in ours + other})
    out, at = [], 0
    for start, end, replacement in hunks:
        out.extend(b[at:start])
        out.extend(replacement)
        at = end
    out.extend(b[at:])
    return "".join(out)
