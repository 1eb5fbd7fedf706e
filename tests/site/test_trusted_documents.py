"""Trusted documents at the site's ``/v1/graphql``: the site registers its own page queries when it starts,
and with ``QAPRESS_TRUSTED_DOCUMENTS_ONLY`` the anonymous role runs those (by text or by hash) and nothing
else, while the admin runs anything; without the setting, anonymous queries run as before."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest
from tests.site.live import LiveSite, demo_store, serve_site

from qapress.engine.documents import DocumentStore
from qapress.site.render import PAGE_QUERIES, page_query

SECRET = "s3cret"
HOME = page_query("home")
HOME_VARIABLES = {"domain": 7, "limit": 3, "offset": 0, "first": True}
OTHER = "{ domain { id } }"
SPEC = "application/graphql-response+json"


def persisted(query: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}


def post(live: LiveSite, body: object, **headers: str) -> httpx.Response:
    return live.request("POST", "/v1/graphql", json=body, headers=headers)


@pytest.fixture
def trusted_only(demo_url: str) -> Iterator[LiveSite]:
    engine = demo_store(demo_url)
    with serve_site(engine, trusted_documents_only=True, admin_secret=SECRET) as site:
        yield site


def test_the_site_registers_its_page_queries_on_start(trusted_only: LiveSite) -> None:
    documents = DocumentStore(trusted_only.engine).documents(trusted_only=True)
    assert {d.source for d in documents} >= {f"site:{name}.graphql" for name in PAGE_QUERIES}
    assert {d.query for d in documents} >= {page_query(name) for name in PAGE_QUERIES}


def test_anonymous_runs_only_trusted_documents(trusted_only: LiveSite) -> None:
    by_text = post(trusted_only, {"query": HOME, "variables": HOME_VARIABLES})
    assert by_text.status_code == 200 and by_text.json()["data"]["articles"]
    by_hash = post(trusted_only, {"variables": HOME_VARIABLES, "extensions": persisted(HOME)})
    assert by_hash.json() == by_text.json()
    refused = post(trusted_only, {"query": OTHER})
    assert refused.status_code == 200
    (error,) = refused.json()["errors"]
    assert error["extensions"] == {"path": "$", "code": "validation-failed"}
    assert error["message"].startswith("query is not allowed")
    assert post(trusted_only, {"query": OTHER}, accept=SPEC).status_code == 403
    # Registering a persisted query is no way around it, and stores nothing.
    sneaked = post(trusted_only, {"query": OTHER, "extensions": persisted(OTHER)})
    assert sneaked.json()["errors"][0]["message"].startswith("query is not allowed")
    assert DocumentStore(trusted_only.engine).lookup(persisted(OTHER)["persistedQuery"]["sha256Hash"]) is None  # type: ignore[index]
    batch = post(trusted_only, [{"query": HOME, "variables": HOME_VARIABLES}, {"query": OTHER}]).json()
    assert "data" in batch[0] and batch[1]["errors"][0]["message"].startswith("query is not allowed")
    over_get = trusted_only.get(
        "/v1/graphql?query=%7B%20domain%20%7B%20id%20%7D%20%7D", accept="application/json"
    )
    assert over_get.json()["errors"][0]["message"].startswith("query is not allowed")
    # The pages themselves run in process, not through the rule.
    assert trusted_only.get("/").status_code == 200


def test_the_admin_is_not_bound(trusted_only: LiveSite) -> None:
    admin = post(trusted_only, {"query": OTHER}, **{"x-hasura-admin-secret": SECRET})
    assert "data" in admin.json()


def test_without_the_setting_anonymous_queries_run(live: LiveSite) -> None:
    assert "data" in post(live, {"query": OTHER}).json()


def test_with_persisted_queries_off_the_extension_is_ignored_as_hasura_does(demo_url: str) -> None:
    engine = demo_store(demo_url)
    with serve_site(engine, persisted_queries=False) as site:
        hash_only = post(site, {"variables": HOME_VARIABLES, "extensions": persisted(HOME)})
        assert hash_only.json()["errors"][0]["message"] == 'key "query" not found'
        with_query = post(site, {"query": OTHER, "extensions": persisted(HOME)})  # the hash is not checked
        assert "data" in with_query.json()
