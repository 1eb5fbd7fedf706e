"""Hasura's own conformance cases against qapress's engine, over HTTP, on PostgreSQL and on SQLite.

One test per case (``database:file:index``); the parameters, the exclusions (README ``needs`` tags) and the
known failures (known_failures.txt) come from conftest.py. A case passes when the live server answers it as
Hasura v2.8.0 did.
"""

from __future__ import annotations

from .corpus import Case
from .harness import ConformanceSession


def test_hasura_case(conformance: ConformanceSession, database: str, case: Case) -> None:
    problems = conformance.run(database, case)
    assert not problems, f"{case.body.get('description') or case.body.get('descriptions')}:\n" + "\n".join(
        problems
    )
