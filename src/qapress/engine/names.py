"""GraphQL names (spec §2.1.9): what a table, column or enum value must be called to enter the schema."""

from __future__ import annotations

import re

GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def is_graphql_name(name: str) -> bool:
    """Whether ``name`` can name a GraphQL type, field or enum value (``__`` names are the spec's own)."""
    return GRAPHQL_NAME.fullmatch(name) is not None and not name.startswith("__")
