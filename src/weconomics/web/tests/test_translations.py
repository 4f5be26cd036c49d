"""Every interface string has its Dutch translation, and the compiled catalogue matches."""

import ast
from pathlib import Path

from django.utils import translation

import weconomics

CATALOGUE = Path(weconomics.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def entries():
    """Parse the .po file: (flags, context, msgid, msgid_plural, msgstrs) per entry."""
    found, current, key = [], None, None
    for raw in CATALOGUE.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current:
                found.append(current)
            current, key = None, None
            continue
        current = current or {"flags": set(), "msgctxt": None, "msgid": "", "plural": None,
                              "msgstr": {}}
        if line.startswith("#,"):
            current["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if key[0] == "msgstr":
                current["msgstr"][key[1]] += value
            else:
                current[key[0]] = (current[key[0]] or "") + value
        else:
            word, _space, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if word.startswith("msgstr"):
                index = int(word[7:-1]) if "[" in word else 0
                key = ("msgstr", index)
                current["msgstr"][index] = value
            else:
                key = ({"msgid_plural": "plural"}.get(word, word), None)
                current[key[0]] = value
    return [e for e in found if e["msgid"]]


def test_every_string_is_translated_and_none_is_fuzzy():
    missing = [e["msgid"] for e in entries()
               if "fuzzy" in e["flags"] or not all(e["msgstr"].values())]
    assert missing == []


def test_the_compiled_catalogue_holds_every_translation():
    with translation.override("nl"):
        stale = [e["msgid"] for e in entries()
                 if e["msgctxt"] is None and e["plural"] is None
                 and translation.gettext(e["msgid"]) != e["msgstr"][0]]
    assert stale == []
