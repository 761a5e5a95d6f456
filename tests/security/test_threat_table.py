"""docs/security.md's threat table names the tests that prove each row: they must exist.

A row whose test was renamed or deleted would claim a protection nothing checks any more.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "django_amazonpay" / "docs" / "security.md"
CITATION = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?(?:\[[^\]]*\])?`")


def threat_rows() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Threats\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return rows[1:]  # the header row; the |---| line does not start with "| "


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_the_table_has_rows_and_each_row_names_a_test() -> None:
    rows = threat_rows()
    assert len(rows) >= 15
    for row in rows:
        assert CITATION.search(row.rsplit("|", 2)[-2]), f"no test named in: {row[:80]}"


def test_every_named_test_exists() -> None:
    missing = []
    for row in threat_rows():
        for file, name in CITATION.findall(row):
            path = ROOT / file
            if not path.is_file():
                missing.append(file)
            elif name and name not in defined_tests(path):
                missing.append(f"{file}::{name}")
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"


def test_the_check_finds_a_missing_test() -> None:
    row = "| a | b | c | `tests/security/test_threat_table.py::test_that_was_never_written` |"
    ((file, name),) = CITATION.findall(row)
    assert name not in defined_tests(ROOT / file)
