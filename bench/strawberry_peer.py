"""The strawberry-graphql peer: the same schema and SQL as the graphql-core peer, in strawberry's idiom.

Types live at module level (strawberry resolves annotations by name, so this module does not use
``from __future__ import annotations``); the connection reaches the resolver through the context.
"""

from enum import Enum
from typing import Any

import orjson
import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from bench.contender import Contender, Variables
from bench.data import Network
from bench.peer_sql import connect, select_sql
from bench.peers import _plain, _requested_columns


@strawberry.input(name="Int_comparison_exp")
class IntComparisonExp:
    eq: int | None = strawberry.field(name="_eq", default=None)
    neq: int | None = strawberry.field(name="_neq", default=None)
    lt: int | None = strawberry.field(name="_lt", default=None)
    lte: int | None = strawberry.field(name="_lte", default=None)
    gt: int | None = strawberry.field(name="_gt", default=None)
    gte: int | None = strawberry.field(name="_gte", default=None)

    def as_dict(self) -> dict[str, int]:
        pairs = {
            "_eq": self.eq,
            "_neq": self.neq,
            "_lt": self.lt,
            "_lte": self.lte,
            "_gt": self.gt,
            "_gte": self.gte,
        }
        return {k: v for k, v in pairs.items() if v is not None}


@strawberry.input(name="qa_ai_bool_exp")
class QaAiBoolExp:
    id: IntComparisonExp | None = None
    domain: IntComparisonExp | None = None


@strawberry.enum(name="order_by")
class OrderBy(Enum):
    asc = "asc"
    desc = "desc"


@strawberry.input(name="qa_ai_order_by")
class QaAiOrderBy:
    id: OrderBy | None = None
    date: OrderBy | None = None


@strawberry.type(name="qa_ai")
class QaAi:
    id: int | None = None
    domain: int | None = None
    title: str | None = None
    text: str | None = None
    date: str | None = None


def resolve_qa_ai(
    info: Info,
    where: QaAiBoolExp | None = None,
    order_by: list[QaAiOrderBy] | None = None,
    limit: int | None = None,
) -> list[QaAi]:
    fetch, mark, published_only = info.context["fetch"], info.context["mark"], info.context["published_only"]
    columns = _requested_columns(info._raw_info)
    where_dict: dict[str, Any] = {}
    if where is not None:
        for column in ("id", "domain"):
            comparison = getattr(where, column)
            if comparison is not None:
                where_dict[column] = comparison.as_dict()
    orders = [
        {column: getattr(item, column).value}
        for item in order_by or []
        for column in ("id", "date")
        if getattr(item, column) is not None
    ]
    sql, params = select_sql(columns, where_dict, orders, limit, mark=mark, published_only=published_only)
    return [QaAi(**{c: _plain(v) for c, v in zip(columns, row, strict=True)}) for row in fetch(sql, params)]


@strawberry.type(name="query_root")
class Query:
    qa_ai: list[QaAi] = strawberry.field(resolver=resolve_qa_ai)


SCHEMA = strawberry.Schema(query=Query, config=StrawberryConfig(auto_camel_case=False))


def strawberry_peer(network: Network, published_only: bool, query: str) -> Contender:
    fetch, mark, close = connect(network)
    context = {"fetch": fetch, "mark": mark, "published_only": published_only}
    dumps = orjson.dumps

    def run(variables: Variables) -> bytes:
        result = SCHEMA.execute_sync(query, variable_values=variables, context_value=context)
        if result.errors:
            return dumps({"errors": [{"message": e.message} for e in result.errors]})
        return dumps({"data": result.data})

    return Contender("strawberry-graphql, per request", "peer", run, close)
