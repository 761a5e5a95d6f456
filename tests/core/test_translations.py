"""The Japanese catalogue is complete and compiled (issue 5 item 7)."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="gettext tools not installed (apt-get install -y gettext)",
)
def test_every_translatable_string_in_the_sources_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the package adds nothing untranslated: a new field's
    verbose_name or a new template string cannot ship without its Japanese."""
    package = Path(django_amazonpay.__file__).parent
    copy = tmp_path / "django_amazonpay"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    root = package.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ja", "--no-obsolete"],
        cwd=copy, env=env, check=True, capture_output=True,
    )  # fmt: skip
    po = (copy / "locale" / "ja" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    assert [msgid for msgid, _plural, msgstr in _entries(po) if not msgstr] == []
