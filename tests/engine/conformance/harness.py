"""Runs conformance cases on a live server: fixture folders set up on a real database, requests over HTTP.

A :class:`FolderEnv` is one fixture folder on one database (a throwaway PostgreSQL database or a SQLite
file): the translated fixture SQL, the metadata built from its operations, a ``GraphQLEngine`` over it and the
Starlette app the live server dispatches to. :class:`ConformanceSession` keeps one folder up at a time and
follows the upstream lifecycle: class fixtures when the folder changes, method fixtures around each case file.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store import open_engine

from .compare import compare_response
from .corpus import Case, Folder, folder
from .hasura_setup import HasuraMetadata, plan_fixture
from .hasura_sql import SqlTranslator
from .server import LiveServer

ADMIN_SECRET = "conformance-admin-secret"


def engine_metadata(metadata: HasuraMetadata) -> Any:
    """The engine's ``Metadata`` from the Hasura v2 source shape: tables, and inherited roles if any."""
    from qapress.engine import Metadata

    raw: dict[str, Any] = {"tables": copy.deepcopy(metadata.tables)}
    if metadata.inherited_roles:
        raw["inherited_roles"] = copy.deepcopy(metadata.inherited_roles)
    if metadata.functions:
        raw["functions"] = copy.deepcopy(metadata.functions)
    return Metadata.from_hasura(raw)


def run_statements(engine: Engine, statements: list[Any]) -> None:
    with engine.begin() as connection:
        for statement in statements:
            if statement.params:
                connection.execute(sa.text(statement.text), dict(statement.params))
            else:
                # Escape colons: text() would read '10:23:54' or '::text' as bind parameters.
                connection.execute(sa.text(statement.text.replace(":", "\\:")))


class FolderEnv:
    """One fixture folder, set up on one database and served by its own engine."""

    def __init__(self, database: str, spec: Folder, url: str, extensions: frozenset[str]) -> None:
        self.database = database
        self.spec = spec
        self.engine = open_engine(url)
        self.translator = SqlTranslator("sqlite" if database == "sqlite" else "postgresql", extensions)
        self.metadata = HasuraMetadata()
        self.gql: Any = None
        self.app: Any = None
        self.method_file: str | None = None
        for document in spec.class_setup:
            self.apply(document)
        self.rebuild()

    def apply(self, document: Any, *, metadata: bool = True) -> bool:
        """Run a fixture file; True when it changed the metadata."""
        plan = plan_fixture(document, self.translator)
        run_statements(self.engine, plan.statements)
        if metadata:
            for op in plan.metadata_ops:
                self.metadata.apply(op)
        return metadata and bool(plan.metadata_ops)

    def rebuild(self) -> None:
        from starlette.applications import Starlette

        from qapress.engine import GraphQLEngine
        from qapress.engine.http import graphql_routes

        if self.gql is not None:
            self.gql.close()
        self.gql = GraphQLEngine(self.engine, engine_metadata(self.metadata), stringify_numeric_types=True)
        self.app = Starlette(routes=graphql_routes(self.gql, admin_secret=ADMIN_SECRET))

    def begin_method(self, file: str) -> bool:
        """Method fixtures before the first case of ``file``; True when the app must be reinstalled."""
        if self.method_file == file:
            return False
        self.end_method()
        self.method_file = file
        changed = False
        for document in self.spec.method_setup:
            changed |= self.apply(document)
        if changed:
            self.rebuild()
        return changed

    def end_method(self) -> None:
        if self.method_file is None:
            return
        self.method_file = None
        for document in self.spec.method_teardown:
            self.apply(document, metadata=False)
        if any(plan_fixture(d, self.translator).metadata_ops for d in self.spec.method_setup):
            # Hasura drops the metadata of dropped tables; the next method's setup tracks them again.
            self.metadata.clear()

    def close(self) -> None:
        try:
            self.end_method()
            for document in self.spec.class_teardown:
                self.apply(document, metadata=False)
        finally:
            if self.gql is not None:
                self.gql.close()
            self.engine.dispose()


class ConformanceSession:
    """The live server, an HTTP client, and the fixture folder currently set up."""

    def __init__(self, database_url: Callable[[str], str], tmp_dir: Path) -> None:
        self.database_url = database_url
        self.tmp_dir = tmp_dir
        self.server = LiveServer()
        self.base_url = self.server.start()
        self.client = httpx.Client(base_url=self.base_url, timeout=30)
        self.current: FolderEnv | None = None
        self.extensions: dict[str, frozenset[str]] = {}

    def env_for(self, database: str, case: Case) -> FolderEnv:
        if self.current and (self.current.database, self.current.spec.path) == (database, case.folder):
            return self.current
        self.release()
        url = self.database_url(database)
        if database not in self.extensions:
            self.extensions[database] = available_extensions(url)
        self.server.serve(None)
        self.current = FolderEnv(database, folder(case.folder), url, self.extensions[database])
        self.server.serve(self.current.app)
        return self.current

    def release(self) -> None:
        if self.current is not None:
            env, self.current = self.current, None
            self.server.serve(None)
            env.close()

    def close(self) -> None:
        try:
            self.release()
        finally:
            self.client.close()
            self.server.stop()

    # -- one case ------------------------------------------------------------------------------------

    def run(self, database: str, case: Case) -> list[str]:
        """Run ``case`` and return what differs from its expectation (empty: it passed)."""
        env = self.env_for(database, case)
        if env.begin_method(case.file):
            self.server.serve(env.app)
        try:
            return self._request(env, case)
        finally:
            if case.index == case.count - 1:
                env.end_method()
                self.server.serve(env.app)

    def _request(self, env: FolderEnv, case: Case) -> list[str]:
        body = case.body
        expected_status = body.get("status", 200)
        if body["url"] == "/v1/query":
            status, detail = 200, ""
            try:
                env.apply(body["query"], metadata=False)
                env.gql.reload()
            except Exception as exc:  # a failed run_sql is Hasura's HTTP 400
                status, detail = 400, f": {exc}"
            return (
                []
                if status == expected_status
                else [f"/v1/query gave {status}, expected {expected_status}{detail}"]
            )
        # Admin-secret mode: every request carries the secret, so X-Hasura-Role and the session variables
        # are trusted (the four backend-only cases that always get the secret need nothing more). The one
        # upstream typo "header" is ignored, as upstream does: that case runs as admin.
        headers = {str(k): str(v) for k, v in (body.get("headers") or {}).items()}
        problems = self.unauthenticated_problems(env, body, headers)
        headers["X-Hasura-Admin-Secret"] = ADMIN_SECRET
        response = self.client.post(body["url"], json=body["query"], headers=headers)
        if response.status_code != expected_status:
            problems.append(f"HTTP {response.status_code}, expected {expected_status}: {response.text[:500]}")
        try:
            actual = response.json()
        except ValueError:
            return [*problems, f"not JSON: {response.text[:500]}"]
        if "response" in body:
            problems.extend(compare_response(body["response"], actual, body["query"]))
        elif "allowed_responses" in body:
            attempts = [
                compare_response(a["response"], actual, body["query"]) for a in body["allowed_responses"]
            ]
            if all(attempts):
                problems.append(f"none of the allowed responses matched: {actual!r}")
        elif case.file.endswith("graphql_introspection/introspection.yaml"):
            problems.extend(introspection_problems(actual))
        return problems

    def unauthenticated_problems(
        self, env: FolderEnv, body: dict[str, Any], headers: dict[str, str]
    ) -> list[str]:
        """Upstream first checks that the request without a valid secret is refused. qapress serves such a
        request as role "anonymous" (its public site): so it must be answered exactly as anonymous without
        session variables, whatever X-Hasura-* headers it sends, and be refused where the fixture grants
        anonymous nothing."""
        untrusted = {k: v for k, v in headers.items() if k.lower() != "x-hasura-admin-secret"}
        refused = self.client.post(body["url"], json=body["query"], headers=untrusted)
        # Untrusted X-Hasura-* headers (role and session variables alike) are ignored.
        as_anonymous = {k: v for k, v in untrusted.items() if not k.lower().startswith("x-hasura-")}
        as_anonymous |= {"X-Hasura-Role": "anonymous", "X-Hasura-Admin-Secret": ADMIN_SECRET}
        anonymous = self.client.post(body["url"], json=body["query"], headers=as_anonymous)
        problems = []
        if (refused.status_code, refused.content) != (anonymous.status_code, anonymous.content):
            problems.append(
                f"without the admin secret the request is not served as anonymous: {refused.text[:300]}"
            )
        grants_anonymous = any(
            "anonymous" in [p["role"] for p in table.get(kind, [])]
            for table in env.metadata.tables
            for kind in (
                "select_permissions",
                "insert_permissions",
                "update_permissions",
                "delete_permissions",
            )
        )
        answers = (
            refused.json() if refused.headers.get("content-type", "").startswith("application/json") else {}
        )
        entries = answers if isinstance(answers, list) else [answers]
        if not grants_anonymous and not all(isinstance(e, dict) and "errors" in e for e in entries):
            problems.append(f"without the admin secret the request is not refused: {refused.text[:300]}")
        return problems


def introspection_problems(actual: Any) -> list[str]:
    """The upstream driver's own check of ``introspection.yaml`` (README, "introspection.yaml")."""
    try:
        types = {t["name"]: t for t in actual["data"]["__schema"]["types"]}
        fields = {f["name"]: f for f in types["article"]["fields"]}
        manual = fields["author_obj_rel_manual"]["type"]["kind"]
        fkey = fields["author_obj_rel_fk"]["type"]["kind"]
    except (KeyError, TypeError) as exc:
        return [f"introspection lacks article's relationships ({exc!r}): {str(actual)[:500]}"]
    problems = []
    if manual != "OBJECT":
        problems.append(f"author_obj_rel_manual has kind {manual}, expected OBJECT (nullable)")
    if fkey != "NON_NULL":
        problems.append(f"author_obj_rel_fk has kind {fkey}, expected NON_NULL")
    return problems


def available_extensions(url: str) -> frozenset[str]:
    if not url.startswith("postgresql"):
        return frozenset()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            names = connection.exec_driver_sql("SELECT name FROM pg_available_extensions").scalars().all()
    finally:
        engine.dispose()
    return frozenset(str(n) for n in names)
