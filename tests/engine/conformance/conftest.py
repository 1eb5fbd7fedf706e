"""Fixtures of the Hasura conformance run, and its results table (printed, and written to RESULTS.md when
asked with ``CONFORMANCE_WRITE_RESULTS=1``; to a temporary file otherwise)."""

from __future__ import annotations

import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import missing

from .corpus import CORPUS, CORPUS_MISSING, DATABASES, NO_CORPUS_ID, Case, cases
from .harness import ConformanceSession

HERE = Path(__file__).parent
KNOWN_FAILURES = HERE / "known_failures.txt"
RESULTS = HERE / "RESULTS.md"
TMP_RESULTS = Path(tempfile.gettempdir()) / "qapress-conformance" / "RESULTS.md"
TEST_NAME = "test_hasura_case"


def known_failures() -> dict[str, str]:
    """``database:file:index`` (or ``any:file:index``) -> why the case does not pass yet."""
    known: dict[str, str] = {}
    if not KNOWN_FAILURES.exists():
        return known
    for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            case_id, _, reason = line.partition("\t")
            known[case_id.strip()] = reason.strip() or "known failure"
    return known


def case_params() -> list[object]:
    if not CORPUS.is_dir():
        # One test that skips (or fails under CI=true) with the reason, in place of the whole suite.
        return [pytest.param(None, None, id=NO_CORPUS_ID)]
    known = known_failures()
    params = []
    for database in DATABASES:
        for case in cases():
            marks: list[pytest.MarkDecorator] = []
            tag = case.exclusion(database)
            if tag is not None:
                why = tag if " " in tag else f"README tag {tag}"
                marks.append(pytest.mark.skip(reason=f"excluded on {database}: {why}"))
            else:
                reason = known.get(case.test_id(database)) or known.get(f"any:{case.key}")
                if reason:
                    marks.append(pytest.mark.xfail(reason=reason, strict=False))
            params.append(pytest.param(database, case, id=case.test_id(database), marks=marks))
    return params


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.function.__name__ == TEST_NAME:
        metafunc.parametrize(("database", "case"), case_params())


@pytest.fixture(scope="session")
def corpus() -> Path:
    """Hasura's corpus beside the checkout; skips with one reason when absent (fails under CI=true)."""
    if not CORPUS.is_dir():
        missing(CORPUS_MISSING)
    return CORPUS


@pytest.fixture(scope="session")
def conformance(
    request: pytest.FixtureRequest, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConformanceSession]:
    """The live server and the folder lifecycle; a throwaway database (or SQLite file) per fixture folder."""
    tmp_dir = tmp_path_factory.mktemp("conformance")
    counter = iter(range(1_000_000))
    # Ask for PostgreSQL before the session starts, so that its databases are dropped after the last folder.
    wants_postgres = any(
        getattr(item, "callspec", None) and item.callspec.params.get("database") == "postgresql"
        for item in request.session.items
    )
    server = request.getfixturevalue("postgres_server") if wants_postgres else None

    def database_url(database: str) -> str:
        if database == "sqlite":
            return f"sqlite:///{tmp_dir / f'folder{next(counter)}.db'}"
        assert server is not None
        return str(server.create_database(prefix="qapress_hasura"))

    session = ConformanceSession(database_url, tmp_dir)
    yield session
    session.close()


# -- the results table --------------------------------------------------------------------------------

OUTCOMES = ("pass", "fail", "known", "xpass", "excluded")
_results: dict[str, tuple[str, str]] = {}


def _case_of(nodeid: str) -> tuple[str, Case] | None:
    if f"{TEST_NAME}[" not in nodeid or not CORPUS.is_dir():
        return None
    case_id = nodeid.split(f"{TEST_NAME}[", 1)[1].rstrip("]")
    database, _, key = case_id.partition(":")
    for case in cases():
        if case.key == key:
            return database, case
    return None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if f"{TEST_NAME}[" not in report.nodeid or not CORPUS.is_dir():
        return
    outcome: str | None = None
    reason = ""
    if report.when == "setup" and report.skipped:
        outcome, reason = "excluded", str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
    elif report.when == "setup" and report.failed:
        outcome = "fail"
        crash = getattr(report.longrepr, "reprcrash", None)
        reason = (
            "setup: " + " ".join(str(crash.message).split())[:400] if crash is not None else "setup failed"
        )
    elif report.when == "call":
        if hasattr(report, "wasxfail"):
            outcome, reason = ("xpass" if report.passed else "known"), report.wasxfail
        else:
            outcome = "pass" if report.passed else "fail"
            crash = getattr(report.longrepr, "reprcrash", None)
            if crash is not None:
                reason = " ".join(str(crash.message).split())[:400]
    if outcome is not None:
        _results[report.nodeid] = (outcome, reason)


def results_table() -> tuple[str, int]:
    per_folder: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    notes: list[str] = []
    for nodeid, (outcome, reason) in sorted(_results.items()):
        found = _case_of(nodeid)
        if found is None:
            continue
        database, case = found
        per_folder[(case.folder, database)][outcome] += 1
        if outcome in ("known", "excluded", "fail", "xpass"):
            notes.append(f"| {database} | `{case.key}` | {outcome} | {reason.replace('|', '/')} |")
    lines = [
        "| folder | database | " + " | ".join(OUTCOMES) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in OUTCOMES) + " |",
    ]
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for (folder_path, database), counts in sorted(per_folder.items()):
        totals[database].update(counts)
        lines.append(f"| {folder_path} | {database} | " + " | ".join(str(counts[o]) for o in OUTCOMES) + " |")
    for database, counts in sorted(totals.items()):
        lines.append(f"| **all** | {database} | " + " | ".join(str(counts[o]) for o in OUTCOMES) + " |")
    table = "\n".join(lines)
    if notes:
        table += "\n\n| database | case | outcome | reason |\n| --- | --- | --- | --- |\n" + "\n".join(notes)
    return table, len(per_folder)


def update_known_failures() -> int:
    """Rewrite known_failures.txt from this run (``CONFORMANCE_UPDATE_KNOWN=1``, best with ``--runxfail``):
    every case that did not pass, keeping the reasons already written."""
    old = known_failures()
    header = [
        line for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    ]
    rows = []
    for nodeid, (outcome, reason) in sorted(_results.items()):
        found = _case_of(nodeid)
        if found is None or outcome not in ("fail", "known"):
            continue
        case_id = found[1].test_id(found[0])
        rows.append(f"{case_id}\t{old.get(case_id) or reason[:200] or 'fails'}")
    KNOWN_FAILURES.write_text("\n".join([*header, *rows]) + "\n", encoding="utf-8")
    return len(rows)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _results:
        return
    table, _ = results_table()
    summary = table.split("\n\n")[0]
    terminalreporter.write_sep("=", "Hasura conformance (pass / fail / known failure / xpass / excluded)")
    terminalreporter.write_line(summary)
    if len(_results) == len(case_params()):
        if os.environ.get("CONFORMANCE_UPDATE_KNOWN"):
            count = update_known_failures()
            terminalreporter.write_line(f"known_failures.txt rewritten: {count} cases")
        # Into the work tree only when asked (CONFORMANCE_WRITE_RESULTS=1): a test run changes no tracked file.
        results = RESULTS if os.environ.get("CONFORMANCE_WRITE_RESULTS") == "1" else TMP_RESULTS
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(
            "# Hasura conformance results\n\nWritten by the last full run of `tests/engine/conformance` "
            "(pass, fail, known failure from known_failures.txt, xpass = listed but passing, excluded = not "
            "portable, README tag).\n\n" + table + "\n",
            encoding="utf-8",
        )
        terminalreporter.write_line(f"written to {results}")
