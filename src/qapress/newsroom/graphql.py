"""The newsroom's reads and writes: GraphQL through the engine as the signed-in account's role.

The same session variables are what ``/v1/graphql`` gets from the same cookie (``session_variables``), so a
page can do exactly what its role may do at the endpoint and nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from qapress.accounts.users import Account
from qapress.engine import GraphQLEngine

USER_ID = "x-hasura-user-id"
ALLOWED_SITE_IDS = "x-hasura-allowed-site-ids"


class NewsroomQueryError(Exception):
    """The engine answered with errors; ``code`` is the first error's Hasura code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def session_variables(account: Account) -> dict[str, str]:
    """The role and session variables of an account: its id and its sites as a PostgreSQL array literal."""
    return {
        "x-hasura-role": account.role,
        USER_ID: str(account.id),
        ALLOWED_SITE_IDS: "{" + ",".join(str(site_id) for site_id in account.site_ids) + "}",
    }


class StaffGraphQL:
    """Runs the newsroom's queries as one account (call from the threadpool: the engine blocks)."""

    def __init__(self, gql: GraphQLEngine) -> None:
        self.gql = gql

    def run(self, account: Account, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        answer = orjson.loads(
            self.gql.execute_bytes(
                query, dict(variables or {}), None, account.role, session_variables(account)
            )
        )
        errors = answer.get("errors")
        if errors:
            first = errors[0]
            raise NewsroomQueryError(str(first.get("message")), str(first.get("extensions", {}).get("code")))
        data: dict[str, Any] = answer["data"]
        return data


#: A sample value per ``qa_ai`` column the newsroom changes outside GraphQL, for ``may_update_article``.
_PROBE_VALUES: dict[str, object] = {"title": "", "status": "draft"}

PROBE_MUTATION = """
mutation MayUpdate($id: Int!, $set: qa_ai_set_input!) {
  update_qa_ai(where: {_and: [{id: {_eq: $id}}, {domain: {_is_null: true}}]}, _set: $set) { affected_rows }
}
"""


def may_update_article(data: StaffGraphQL, account: Account, article_id: int, column: str) -> bool:
    """Whether the engine lets the account's role update ``column`` of ``qa_ai`` (nothing is written).

    Saves, status changes and restores go through ``qapress.articles`` (version checks, revisions, the
    grounding rule), which the engine cannot run, so the engine is asked first, as the account's role:
    the page has already read the article through the role's select filter (the same sites filter as its
    update filter), and this mutation, whose ``where`` matches no row (``domain`` is never null), is
    validated against the role's update permission on the column: a role without it is refused.
    """
    try:
        data.run(account, PROBE_MUTATION, {"id": article_id, "set": {column: _PROBE_VALUES[column]}})
    except NewsroomQueryError as exc:
        if exc.code == "validation-failed":
            return False
        raise
    return True
