"""The page query of the seed, verbatim, answers what hand-written SQL says it should, on both databases."""

from __future__ import annotations

import json
from typing import Any

import orjson
import sqlalchemy as sa

from qapress.engine import GraphQLEngine


def expected(gql: GraphQLEngine, variables: dict[str, Any]) -> dict[str, Any]:
    with gql.engine.connect() as connection:

        def rows(sql: str, **params: Any) -> list[dict[str, Any]]:
            result = connection.execute(sa.text(sql), params).mappings()
            return [{k: _plain(v) for k, v in r.items()} for r in result]

        data: dict[str, Any] = {}
        if variables["hasSelf"]:
            data["self"] = rows(
                "SELECT id, title, text, date FROM qa_ai WHERE id = :id LIMIT 1", id=variables["id"]
            )
        data["linksarticle"] = rows(
            "SELECT id, title FROM qa_ai WHERE domain = :d AND id <> :id ORDER BY id DESC LIMIT 8",
            d=variables["domain"],
            id=variables["id"],
        )
        data["linksbottom"] = rows(
            "SELECT id, title, domain FROM qa_ai WHERE domain <> :d AND id < :id ORDER BY id DESC LIMIT 3",
            d=variables["domain"],
            id=variables["id"],
        )
        if variables["hasSrc"]:
            data["source"] = rows("SELECT id, title FROM qa_ai WHERE id = :id LIMIT 1", id=variables["srcId"])
    return data


def _plain(value: Any) -> Any:
    """Dates as the engine renders them on both databases: ``YYYY-MM-DD``."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def test_seed_query_matches_hand_written_sql(gql: GraphQLEngine, seed: tuple[str, dict[str, Any]]) -> None:
    query, variables = seed
    result = gql.execute(query, variables)
    assert result == {"data": expected(gql, variables)}
    assert list(result["data"]) == ["self", "linksarticle", "linksbottom"]
    assert result["data"]["self"][0]["id"] == 6646098
    assert len(result["data"]["linksarticle"]) == 8
    assert all(row["domain"] != 7 for row in result["data"]["linksbottom"])


def test_seed_query_bytes_are_the_same_response(gql: GraphQLEngine, seed: tuple[str, dict[str, Any]]) -> None:
    query, variables = seed
    body = gql.execute_bytes(query, variables)
    assert body.startswith(b'{"data":')
    assert orjson.loads(body) == gql.execute(query, variables)


def test_include_directive_switches_root_fields(gql: GraphQLEngine, seed: tuple[str, dict[str, Any]]) -> None:
    query, variables = seed
    flipped = {**variables, "hasSelf": False, "hasSrc": True, "srcId": 6646097}
    result = gql.execute(query, flipped)
    assert result == {"data": expected(gql, flipped)}
    assert list(result["data"]) == ["linksarticle", "linksbottom", "source"]
    # The first shape still answers as before: plans are kept per value of the directive variables.
    assert gql.execute(query, variables)["data"]["self"][0]["id"] == 6646098


def test_seed_variables_file_is_used_verbatim(seed: tuple[str, dict[str, Any]]) -> None:
    _query, variables = seed
    assert json.dumps(variables, sort_keys=True) == json.dumps(
        {"domain": 7, "hasSelf": True, "hasSrc": False, "id": 6646098, "srcId": 0}, sort_keys=True
    )
