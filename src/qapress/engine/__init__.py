"""The GraphQL engine: Hasura's query language compiled to SQL that builds the JSON in the database.

The names below load on first use (PEP 562), so that importing one small module of the package (the store
registers ``engine.sqlite_functions``; the worker maps ``engine.driver_errors``) does not import the whole
engine and graphql-core with it: a CLI verb that never answers GraphQL starts without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qapress.engine.engine import GraphQLEngine
    from qapress.engine.errors import EngineError
    from qapress.engine.metadata import Metadata, load_metadata, qapress_metadata

__all__ = ["EngineError", "GraphQLEngine", "Metadata", "load_metadata", "qapress_metadata"]

_HOMES = {
    "GraphQLEngine": "qapress.engine.engine",
    "EngineError": "qapress.engine.errors",
    "Metadata": "qapress.engine.metadata",
    "load_metadata": "qapress.engine.metadata",
    "qapress_metadata": "qapress.engine.metadata",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'qapress.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
