"""The Japanese catalogue is complete and compiled (issue 5 item 7)."""

import gettext
import re
from pathlib import Path

import django_amazonpay

LOCALE = Path(django_amazonpay.__file__).parent / "locale" / "ja" / "LC_MESSAGES"


def _entries(po: str) -> list[tuple[str, str]]:
    entries = []
    for block in po.split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            text = "".join(re.findall(r'"(.*)"', msgid.group(1)))
            if text:  # the header
                entries.append((text, "".join(re.findall(r'"(.*)"', msgstr.group(1)))))
    return entries


def test_every_message_has_a_japanese_translation():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    entries = _entries(po)
    assert len(entries) > 300
    assert [msgid for msgid, msgstr in entries if not msgstr] == []


def test_the_compiled_catalogue_is_current():
    # what Django serves is the .mo: it must say what the .po says, message for message
    with (LOCALE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    for msgid, msgstr in _entries(po):
        if "\\" in msgid:  # escapes: compare only plain messages
            continue
        assert compiled.gettext(msgid) == msgstr, msgid
