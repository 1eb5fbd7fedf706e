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
