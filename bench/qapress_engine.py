"""qapress's engine as the site calls it: ``GraphQLEngine.execute_bytes`` in-process, one per network."""

from __future__ import annotations

from bench.contender import Contender, Variables, skipped
from bench.data import Network

NAME = "qapress engine (execute_bytes)"


def engine_available() -> str | None:
    """None when the engine is importable, else why not (the engine lands on main separately)."""
    try:
        from qapress.engine import GraphQLEngine, qapress_metadata  # noqa: F401
    except ImportError:
        return "not yet: qapress.engine has no GraphQLEngine on this branch"
    return None


DICT_NAME = "qapress engine (execute -> dict, + orjson)"


def engine_contenders(network: Network, query: str, role: str) -> list[Contender]:
    """``execute_bytes`` (the fast path, the row the targets use) and ``execute`` (a dict, then orjson)."""
    reason = engine_available()
    if reason is not None:
        return [skipped(NAME, "engine", reason)]
    import orjson

    from qapress.engine import GraphQLEngine, qapress_metadata
    from qapress.store import open_engine

    sa_engine = open_engine(network.url)
    gql = GraphQLEngine(sa_engine, qapress_metadata())

    def run_bytes(variables: Variables) -> bytes:
        return gql.execute_bytes(query, variables, None, role=role)

    def run_dict(variables: Variables) -> bytes:
        return orjson.dumps(gql.execute(query, variables, None, role=role))

    return [
        Contender(NAME, "engine", run_bytes, note=f"role {role}"),
        Contender(DICT_NAME, "engine-dict", run_dict, sa_engine.dispose, note=f"role {role}"),
    ]
