"""The Japanese catalogue is complete and compiled (issue 5 item 7)."""

import gettext
import re
from pathlib import Path

import django_amazonpay

LOCALE = Path(django_amazonpay.__file__).parent / "locale" / "ja" / "LC_MESSAGES"


def _joined(match: re.Match | None) -> str | None:
    return None if match is None else "".join(re.findall(r'"(.*)"', match.group(1)))


def _entries(po: str) -> list[tuple[str, str | None, str]]:
    """(msgid, msgid_plural or None, msgstr or msgstr[0]) of every message but the header."""
    entries = []
    for block in po.split("\n\n"):
        msgid = _joined(re.search(r'^msgid ((?:".*"\n?)+)', block, re.M))
        plural = _joined(re.search(r'^msgid_plural ((?:".*"\n?)+)', block, re.M))
        msgstr = _joined(re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M))
        if msgid and msgstr is not None:
            entries.append((msgid, plural, msgstr))
    return entries


def test_every_message_has_a_japanese_translation():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    entries = _entries(po)
    assert len(entries) > 300
    assert [msgid for msgid, _plural, msgstr in entries if not msgstr] == []


def test_the_compiled_catalogue_is_current():
    # what Django serves is the .mo: it must say what the .po says, message for message
    with (LOCALE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    for msgid, plural, msgstr in _entries(po):
        if "\\" in msgid:  # escapes: compare only plain messages
            continue
        served = compiled.ngettext(msgid, plural, 1) if plural else compiled.gettext(msgid)
        assert served == msgstr, msgid
