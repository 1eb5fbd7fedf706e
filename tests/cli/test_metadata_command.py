"""``qapress metadata apply|export|diff`` as a user runs them, on a Hasura metadata directory."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_commands import assert_one_line_error, qapress

QA_TABLE = "table:\n  name: qa_ai\n  schema: public\nconfiguration:\n  custom_name: article\n"


def test_export_apply_diff(tmp_path: Path, database_url: str) -> None:
    env = {"QAPRESS_DATABASE_URL": database_url, "QAPRESS_DATA_DIR": str(tmp_path / "data")}
    exported = tmp_path / "exported"
    result = qapress("metadata", "export", str(exported), env=env)
    assert result.returncode == 0, result.stderr
    tables = exported / "databases" / "default" / "tables"
    assert (tables / "public_qa_ai.yaml").exists() and (exported / "version.yaml").exists()
    same = qapress("metadata", "diff", str(exported), env=env)
    assert (same.returncode, same.stdout) == (0, "")
    assert "no differences" in same.stderr

    (tables / "public_qa_ai.yaml").write_text(QA_TABLE)
    changed = qapress("metadata", "diff", str(exported), env=env)
    assert changed.returncode == 0 and "+      custom_name: article" in changed.stdout

    applied = qapress("metadata", "apply", str(exported), env=env)
    assert applied.returncode == 0, applied.stderr
    assert "metadata applied" in applied.stderr
    assert qapress("metadata", "diff", str(exported), env=env).stdout == ""
    again = tmp_path / "again"
    assert qapress("metadata", "export", str(again), env=env).returncode == 0
    assert (again / "databases" / "default" / "tables" / "public_qa_ai.yaml").read_text() == QA_TABLE


def test_apply_refuses_metadata_the_database_cannot_serve(tmp_path: Path, database_url: str) -> None:
    env = {"QAPRESS_DATABASE_URL": database_url, "QAPRESS_DATA_DIR": str(tmp_path / "data")}
    directory = tmp_path / "m"
    (directory / "databases" / "default" / "tables").mkdir(parents=True)
    (directory / "version.yaml").write_text("version: 3\n")
    (directory / "databases" / "databases.yaml").write_text(
        '- name: default\n  kind: postgres\n  tables: "!include default/tables/tables.yaml"\n'
    )
    (directory / "databases" / "default" / "tables" / "tables.yaml").write_text(
        "- table: {name: no_such_table}\n"
    )
    assert_one_line_error(
        qapress("metadata", "apply", str(directory), env=env), 'table "no_such_table" does not exist'
    )
    assert not (tmp_path / "data" / "metadata.json").exists()
    assert_one_line_error(
        qapress("metadata", "diff", str(tmp_path / "missing"), env=env), "is not a directory"
    )
