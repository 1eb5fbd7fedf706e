"""Apollo's automatic persisted queries at ``/v1/graphql``, over a real uvicorn, on SQLite and PostgreSQL: the
round trip Apollo's clients make (an unknown hash, then the query with its hash, then the hash alone), by POST
and by GET; the hash checked; the store shared by every process over the same database, and bounded."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from qapress.engine import GraphQLEngine
from qapress.engine.documents import MAX_DOCUMENT_CHARS, DocumentStore
from qapress.engine.http import graphql_routes

from .served import live_client

QUERY = "query Article($id: Int!) { qa_ai_by_pk(id: $id) { id } }"
NOT_FOUND = {
    "errors": [
        {
            "message": "PersistedQueryNotFound",
            "extensions": {"path": "$", "code": "PERSISTED_QUERY_NOT_FOUND"},
        }
    ]
}


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def extension(query: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


@pytest.fixture
def documents(small: GraphQLEngine) -> DocumentStore:
    return DocumentStore(small.engine, max_persisted=3)


@pytest.fixture
def client(small: GraphQLEngine, documents: DocumentStore) -> Iterator[httpx.Client]:
    with live_client(Starlette(routes=graphql_routes(small, documents=documents))) as client:
        yield client


def test_the_apollo_round_trip_over_post(client: httpx.Client, small: GraphQLEngine) -> None:
    hash_only = {"variables": {"id": 1}, "extensions": extension(QUERY)}
    unknown = client.post("/v1/graphql", json=hash_only)
    assert unknown.status_code == 200 and unknown.json() == NOT_FOUND
    spec = client.post("/v1/graphql", json=hash_only, headers={"Accept": "application/graphql-response+json"})
    assert spec.status_code == 404 and spec.json() == NOT_FOUND  # not 400: that turns Apollo's APQ off
    registered = client.post("/v1/graphql", json={**hash_only, "query": QUERY})
    assert registered.json() == {"data": {"qa_ai_by_pk": {"id": 1}}}
    again = client.post("/v1/graphql", json={**hash_only, "variables": {"id": 2}})
    assert again.json() == {"data": {"qa_ai_by_pk": {"id": 2}}}
    # Another process over the same database (a second worker or host) knows it too.
    elsewhere = DocumentStore(small.engine)
    assert elsewhere.cached(sha(QUERY)) is None and elsewhere.lookup(sha(QUERY)) == QUERY


def test_the_apollo_round_trip_over_get(client: httpx.Client) -> None:
    params = {"variables": json.dumps({"id": 2}), "extensions": json.dumps(extension(QUERY))}
    assert client.get("/v1/graphql", params=params).json() == NOT_FOUND
    registered = client.get("/v1/graphql", params={**params, "query": QUERY})
    assert registered.json() == {"data": {"qa_ai_by_pk": {"id": 2}}}
    hash_only = client.get("/v1/graphql", params=params)
    assert hash_only.status_code == 200
    assert hash_only.json() == {"data": {"qa_ai_by_pk": {"id": 2}}}
    assert hash_only.headers["cache-control"].startswith("public")  # a short URL a CDN can store


def test_a_hash_that_does_not_match_its_query_is_refused_and_not_stored(
    client: httpx.Client, documents: DocumentStore
) -> None:
    wrong = {"query": "{ domain { id } }", "extensions": extension(QUERY)}
    answer = client.post("/v1/graphql", json=wrong)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "provided sha does not match query"
    assert documents.lookup(sha(QUERY)) is None
    version = client.post(
        "/v1/graphql", json={"extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha(QUERY)}}}
    )
    assert version.status_code == 400
    assert version.json()["errors"][0]["message"] == "Unsupported persisted query version"


def test_persisted_queries_are_bounded_oldest_first(client: httpx.Client, documents: DocumentStore) -> None:
    queries = [f"{{ qa_ai_by_pk(id: {n}) {{ id }} }}" for n in range(1, 6)]
    for query in queries:
        assert (
            "data" in client.post("/v1/graphql", json={"query": query, "extensions": extension(query)}).json()
        )
    kept = {d.sha256 for d in documents.documents(trusted_only=False)}
    assert kept == {sha(q) for q in queries[-3:]}  # max_persisted=3
    fresh = DocumentStore(documents.engine)
    assert fresh.lookup(sha(queries[0])) is None


def test_trusted_documents_are_never_dropped_by_the_bound(documents: DocumentStore) -> None:
    (trusted,) = documents.add_trusted([("{ domain { id } }", "test")])
    for n in range(5):
        query = f"{{ qa_ai_by_pk(id: {n}) {{ id }} }}"
        documents.persist(sha(query), query)
    assert trusted in {d.sha256 for d in documents.documents(trusted_only=True)}
    assert len(documents.documents()) == 4  # the trusted one and the three newest persisted


def test_a_batch_may_name_persisted_queries(client: httpx.Client) -> None:
    client.post("/v1/graphql", json={"query": QUERY, "variables": {"id": 1}, "extensions": extension(QUERY)})
    batch = client.post(
        "/v1/graphql",
        json=[
            {"variables": {"id": 4}, "extensions": extension(QUERY)},
            {"extensions": extension("{ unknown }")},
        ],
    ).json()
    assert batch == [{"data": {"qa_ai_by_pk": {"id": 4}}}, NOT_FOUND]


def test_a_query_too_long_to_keep_still_runs(client: httpx.Client, documents: DocumentStore) -> None:
    query = "{ qa_ai_by_pk(id: 1) { id } }" + " " * MAX_DOCUMENT_CHARS
    answer = client.post("/v1/graphql", json={"query": query, "extensions": extension(query)})
    assert answer.json() == {"data": {"qa_ai_by_pk": {"id": 1}}}
    assert documents.lookup(sha(query)) is None
