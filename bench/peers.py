"""The straightforward peers: graphql-core and strawberry-graphql, one resolver per root field, one SQL each.

This is what a Python developer writes without qapress: a schema with Hasura-like arguments (``where``,
``order_by``, ``limit``) on ``qa_ai``, a resolver that turns them into one statement (``bench.peer_sql``),
and the library's executor around it. graphql-core runs twice: parsing and validating every request, and
executing a document parsed and validated once (the best case for a library server).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphql
import orjson

from bench.contender import Contender, Variables
from bench.data import Network
from bench.peer_sql import connect, select_sql


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _requested_columns(info: Any) -> list[str]:
    selection = info.field_nodes[0].selection_set
    return [node.name.value for node in selection.selections if isinstance(node, graphql.FieldNode)]


def graphql_core_schema(network: Network, published_only: bool) -> tuple[graphql.GraphQLSchema, Any]:
    fetch, mark, close = connect(network)
    comparison = graphql.GraphQLInputObjectType(
        "Int_comparison_exp",
        {
            op: graphql.GraphQLInputField(graphql.GraphQLInt)
            for op in ("_eq", "_neq", "_lt", "_lte", "_gt", "_gte")
        },
    )
    bool_exp = graphql.GraphQLInputObjectType(
        "qa_ai_bool_exp",
        {"id": graphql.GraphQLInputField(comparison), "domain": graphql.GraphQLInputField(comparison)},
    )
    order_by = graphql.GraphQLEnumType("order_by", {"asc": "asc", "desc": "desc"})
    order = graphql.GraphQLInputObjectType(
        "qa_ai_order_by",
        {"id": graphql.GraphQLInputField(order_by), "date": graphql.GraphQLInputField(order_by)},
    )
    article = graphql.GraphQLObjectType(
        "qa_ai",
        {
            "id": graphql.GraphQLField(graphql.GraphQLNonNull(graphql.GraphQLInt)),
            "domain": graphql.GraphQLField(graphql.GraphQLNonNull(graphql.GraphQLInt)),
            "title": graphql.GraphQLField(graphql.GraphQLNonNull(graphql.GraphQLString)),
            "text": graphql.GraphQLField(graphql.GraphQLNonNull(graphql.GraphQLString)),
            "date": graphql.GraphQLField(graphql.GraphQLString),
        },
    )

    def resolve_qa_ai(
        _root: Any, info: Any, where: Any = None, order_by: Any = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        columns = _requested_columns(info)
        if isinstance(order_by, dict):
            order_by = [order_by]
        sql, params = select_sql(columns, where, order_by, limit, mark=mark, published_only=published_only)
        return [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in fetch(sql, params)]

    query = graphql.GraphQLObjectType(
        "query_root",
        {
            "qa_ai": graphql.GraphQLField(
                graphql.GraphQLNonNull(graphql.GraphQLList(graphql.GraphQLNonNull(article))),
                args={
                    "where": graphql.GraphQLArgument(bool_exp),
                    "order_by": graphql.GraphQLArgument(graphql.GraphQLList(graphql.GraphQLNonNull(order))),
                    "limit": graphql.GraphQLArgument(graphql.GraphQLInt),
                },
                resolve=resolve_qa_ai,
            )
        },
    )
    return graphql.GraphQLSchema(query), close


def graphql_core_peers(network: Network, published_only: bool, query: str) -> list[Contender]:
    schema, close = graphql_core_schema(network, published_only)
    dumps = orjson.dumps
    document = graphql.parse(query)
    errors = graphql.validate(schema, document)
    if errors:
        raise RuntimeError(f"the seed query is invalid on the graphql-core peer schema: {errors[0].message}")

    def per_request(variables: Variables) -> bytes:
        result = graphql.graphql_sync(schema, query, variable_values=variables)
        return dumps(result.formatted)

    def pre_parsed(variables: Variables) -> bytes:
        result = graphql.execute_sync(schema, document, variable_values=variables)
        return dumps(result.formatted)

    return [
        Contender("graphql-core, parse+validate per request", "peer", per_request),
        Contender("graphql-core, pre-parsed document", "peer", pre_parsed, close),
    ]
