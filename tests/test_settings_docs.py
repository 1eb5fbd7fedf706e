"""Every setting is documented in the README's configuration table, and the table names no setting that
does not exist (as Datasette tests its documentation against its code)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qapress.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def configuration_table() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def documented() -> set[str]:
    return set(re.findall(r"`(QAPRESS_[A-Z0-9_]+)`", configuration_table()))


SETTINGS = sorted(f"QAPRESS_{name.upper()}" for name in Settings.model_fields)


@pytest.mark.parametrize("variable", SETTINGS)
def test_every_setting_is_in_the_readme_table(variable: str) -> None:
    assert variable in documented(), (
        f"{variable} is a setting but has no row in README.md's Configuration table"
    )


def test_the_table_documents_only_real_settings() -> None:
    unknown = documented() - set(SETTINGS)
    assert not unknown, f"README.md documents settings that do not exist: {sorted(unknown)}"


def test_each_row_says_its_default_and_meaning() -> None:
    for row in configuration_table().splitlines()[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 3 and all(cells), f"incomplete row: {row}"
