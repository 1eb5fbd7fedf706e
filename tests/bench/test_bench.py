"""The benchmark's own parts on tiny networks: data, cross-checked contenders, report and the CLI path.

No timing is asserted here (speed belongs to ``python -m bench``); these tests check that every part runs and
that all contenders answer the seed query alike.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import data  # noqa: E402
from bench.__main__ import main  # noqa: E402
from bench.large_results import SHAPES  # noqa: E402
from bench.large_results import contenders as large_contenders  # noqa: E402
from bench.large_results import cross_check as large_cross_check  # noqa: E402
from bench.links_bench import bench_links  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from bench.pages import Server, fixed_bytes_server, measure, parse_wrk, unavailable  # noqa: E402
from bench.query_bench import bench_network, build_contenders, cross_check  # noqa: E402
from bench.report import Run, render  # noqa: E402
from bench.seed import random_variables  # noqa: E402

TINY = 1_200
# As in tests/conftest.py (not importable from here: this folder cannot be a package named ``bench``).
PG_ADMIN_URL = os.environ.get("QAPRESS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def missing(reason: str) -> None:
    """Skip with the reason, or fail under ``CI=true``, where every part must be there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def test_article_rows_have_the_promised_shape() -> None:
    rows = list(data.article_rows(300))
    assert [r.id for r in rows] == list(range(1, 301))
    assert all(60 <= len(r.title) <= 90 for r in rows)
    assert all(3_000 <= len(r.text) <= 6_000 for r in rows)
    assert {r.domain for r in rows} <= set(range(1, data.DOMAINS + 1))
    assert not any("\t" in r.text or "\n" in r.text or "\\" in r.text for r in rows)


def test_large_networks_use_short_bodies() -> None:
    assert data.body_range(data.SHORT_BODIES_FROM) == (200, 400)
    assert data.body_range(data.SHORT_BODIES_FROM - 1) == (3_000, 6_000)


def test_a_short_bodied_baseline_is_a_network_of_its_own(tmp_path: Path) -> None:
    baseline = data.sqlite_network(100, tmp_path, short=True)
    assert baseline.short_bodies and "_short" in baseline.sqlite_path.name
    assert baseline != data.sqlite_network(100, tmp_path)
    assert all(200 <= len(row.text) <= 400 for row in data.article_rows(50, short=True))


@pytest.fixture(scope="module")
def sqlite_network(tmp_path_factory: pytest.TempPathFactory) -> data.Network:
    return data.ensure(TINY, "sqlite", tmp_path_factory.mktemp("bench-data"), log=False)


@pytest.fixture(scope="module")
def pg_network() -> Iterator[data.Network]:
    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    prefix = f"qapress_bench_test_{uuid.uuid4().hex[:8]}"
    try:
        psycopg.connect(admin, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        missing(f"PostgreSQL unreachable at {admin}: {exc}")
    network = data.ensure_pg(TINY, admin, log=False, prefix=prefix)
    yield network
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{data.pg_name(TINY, prefix)}" WITH (FORCE)')


def test_a_built_sqlite_network_is_reused(sqlite_network: data.Network, tmp_path: Path) -> None:
    before = sqlite_network.sqlite_path.stat().st_mtime_ns
    again = data.ensure(TINY, "sqlite", sqlite_network.sqlite_path.parent, log=False)
    assert again == sqlite_network
    assert sqlite_network.sqlite_path.stat().st_mtime_ns == before


def test_the_pg_network_is_marked_complete_and_reused(pg_network: data.Network) -> None:
    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    prefix = pg_network.url.rsplit("/", 1)[1].rsplit("_", 1)[0]
    assert data.pg_complete(TINY, admin, prefix)
    with psycopg.connect(pg_network.pg_dsn) as connection:
        row = connection.execute("SELECT count(*), max(id) FROM qa_ai").fetchone()
        vectors = connection.execute("SELECT count(*) FROM qa_ai_search").fetchone()
    assert row == (TINY, TINY)
    assert vectors == (TINY,)  # searchable, though the load ran without triggers


def test_a_network_stamped_by_a_renamed_migration_is_rebuilt(tmp_path: Path) -> None:
    network = data.ensure(100, "sqlite", tmp_path, log=False)
    with sqlite3.connect(network.sqlite_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0009_renamed_since'")
    data.ensure(100, "sqlite", tmp_path, log=False)
    with sqlite3.connect(network.sqlite_path) as connection:
        (stamped,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        (articles,) = connection.execute("SELECT count(*) FROM qa_ai").fetchone()
    assert stamped != "0009_renamed_since" and articles == 100


def test_a_pg_network_stamped_by_a_renamed_migration_is_not_complete(pg_network: data.Network) -> None:
    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    prefix = pg_network.url.rsplit("/", 1)[1].rsplit("_", 1)[0]
    with psycopg.connect(pg_network.pg_dsn, autocommit=True) as connection:
        (head,) = connection.execute("SELECT version_num FROM alembic_version").fetchone() or ("",)
        connection.execute("UPDATE alembic_version SET version_num = '0009_renamed_since'")
        try:
            assert not data.pg_complete(TINY, admin, prefix)
        finally:
            connection.execute("UPDATE alembic_version SET version_num = %s", (head,))
    assert data.pg_complete(TINY, admin, prefix)


@pytest.mark.parametrize("network_fixture", ["sqlite_network", "pg_network"])
def test_every_contender_answers_like_the_floor(network_fixture: str, request: pytest.FixtureRequest) -> None:
    network: data.Network = request.getfixturevalue(network_fixture)
    variables = random_variables(network, 8)
    contenders = build_contenders(network, "anonymous")
    try:
        assert cross_check(contenders, variables) == []
        floor_answer = orjson.loads(next(c for c in contenders if c.role == "floor").run(variables[0]))
    finally:
        for contender in contenders:
            contender.close()
    names = [c.name for c in contenders if c.available]
    assert any("graphql-core" in n for n in names) and any("strawberry" in n for n in names)
    assert (network.backend == "sqlite") == any("datasette" in n for n in names)
    assert len(floor_answer["data"]["linksarticle"]) == 8
    assert len(floor_answer["data"]["linksbottom"]) <= 3
    assert floor_answer["data"]["self"][0]["id"] == variables[0]["id"]


@pytest.mark.parametrize("network_fixture", ["sqlite_network", "pg_network"])
def test_every_way_of_building_a_large_answer_gives_the_engines(
    network_fixture: str, request: pytest.FixtureRequest
) -> None:
    """``python -m bench large`` compares like with like: 1,000 rows, site nested, small and large columns."""
    network: data.Network = request.getfixturevalue(network_fixture)
    for shape in SHAPES:
        built, engine_way = large_contenders(network, shape)
        try:
            assert len(built) == 3
            assert large_cross_check(built, {"after": 0}) == []
            assert engine_way().startswith(("database JSON", "still measuring", "rows + orjson"))
            assert large_cross_check(built, {"after": TINY - 10})[0].startswith("the network is too small")
        finally:
            for contender in built:
                contender.close()


def test_a_short_run_times_every_available_contender(sqlite_network: data.Network) -> None:
    result = bench_network(sqlite_network, role="anonymous", seconds_each=0.05, variable_count=20)
    assert result.mismatches == []
    assert result.floor is not None
    for sample in result.samples:
        assert (sample.error is None and sample.micros) or not sample.contender.available, sample.error
    run = Run(describe_machine(), quick=True, role="anonymous", queries=[result])
    report = render(run)
    assert "## The seed query, side by side" in report
    assert "(the floor)" in report


def test_the_cli_runs_on_a_tiny_network_without_writing(sqlite_network: data.Network, tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    code = main(
        [
            "--articles", str(TINY), "--backends", "sqlite", "--skip-pages", "--skip-links", "--seconds", "0.05",
            "--data-dir", str(sqlite_network.sqlite_path.parent), "--output", str(output), "--no-write",
        ]
    )  # fmt: skip
    assert code == 0
    assert not output.exists()


def test_the_links_worker_verifies_pending_links_against_local_pages() -> None:
    result = bench_links("sqlite", 20)
    assert result.note == ""
    assert (result.links, result.checked, result.live, result.rejected) == (20, 20, 18, 2)
    assert result.per_second > 0


WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8000/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20ms  300.00us   9.00ms   90.00%
  Latency Distribution
     50%  850.00us
     75%    1.10ms
     90%    1.60ms
     99%    4.20ms
  40000 requests in 2.00s, 10.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  20000.50
Transfer/sec:      5.00MB
"""


def test_a_missing_route_is_not_yet_but_a_server_error_is_an_error() -> None:
    assert unavailable(404).startswith("not yet")
    assert unavailable(500).startswith("error")


def test_wrk_output_is_parsed_into_rps_and_percentiles() -> None:
    assert parse_wrk(WRK_OUTPUT) == (20000.5, 0.85, 4.2, 3)


def test_the_fixed_bytes_floor_serves_its_bytes_under_wrk(tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        missing("wrk is not installed (apt-get install wrk)")
    body = tmp_path / "page.html"
    body.write_bytes(b"<!doctype html><p>fixed</p>")
    server: Server = fixed_bytes_server(body, "text/html; charset=utf-8", workers=1)
    try:
        server.wait_ready()
        result = measure(server, "floor", 1, "/", seconds=1, connections=4, headers={})
    finally:
        server.stop()
    assert result.ok, result.note
    assert result.rps > 0 and result.p50_ms > 0
    assert result.peak_rss_mb > 0


def test_the_grounding_bench_counts_every_claim_of_its_evaluation_set() -> None:
    from bench.grounding_bench import EVAL, run, table

    rows = [
        row.split("\t")
        for path in sorted((EVAL / "claims").glob("0[1-2]-*.tsv"))
        for row in path.read_text("utf-8").splitlines()
        if row.strip() and not row.startswith("#")
    ]
    tallies = run("dev")
    errors, trues = tallies[("error", "ALL")], tallies[("true", "ALL")]
    assert errors.total >= sum(1 for row in rows if row[0] == "error")
    assert trues.total >= sum(1 for row in rows if row[0] == "true")
    assert 0 <= errors.unsupported + errors.unverified <= errors.total
    lines = table("dev", tallies)
    assert any(line.startswith("| quote_speaker |") for line in lines)


def test_the_same_headers_floor_sends_the_headers_it_is_given(tmp_path: Path) -> None:
    import httpx

    from bench.pages_bench import floor_server

    headers = [("content-type", "text/html; charset=utf-8"), ("etag", 'W/"abc"'), ("vary", "Accept-Encoding")]
    server = floor_server(b"<p>fixed</p>", headers, 1, tmp_path)
    try:
        server.wait_ready()
        answer = httpx.get(f"http://127.0.0.1:{server.port}/")
    finally:
        server.stop()
    assert answer.content == b"<p>fixed</p>"
    assert answer.headers["etag"] == 'W/"abc"' and answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["content-length"] == str(len(b"<p>fixed</p>"))


def test_the_miss_bench_measures_an_article_page_both_ways(sqlite_network: data.Network) -> None:
    from bench.__main__ import page_target
    from bench.page_miss import measure_misses

    target = page_target(sqlite_network)
    costs = measure_misses(
        sqlite_network, target.host, target.path, target.article_id, target.domain, rounds=3
    )
    assert [cost.encoding for cost in costs] == ["identity", "gzip"]
    for cost in costs:
        assert not cost.note, cost.note
        assert cost.rounds == 3 and cost.miss_ms > 0 and cost.query_ms > 0
        assert cost.paired_beyond_ms == cost.paired_beyond_ms  # a number, not NaN


def test_the_graphql_tags_bench_times_the_hook_beside_the_run(sqlite_network: data.Network) -> None:
    from bench.graphql_tags_bench import measure as measure_tags

    run, hook, tags = measure_tags(sqlite_network, rounds=1)
    assert run > 0 and hook > 0
    assert "all" in tags and "tqa_ai" in tags and any(tag.startswith("u") for tag in tags)


def test_the_in_process_endpoint_driver_gets_data_from_the_app_and_its_floor(
    sqlite_network: data.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.endpoint_inprocess import CONTENDERS, SERVE_ENV, run
    from qapress.settings import get_settings

    # The driver sets the app's environment itself; monkeypatch puts it back after.
    for name in ("QAPRESS_DATABASE_URL", "QAPRESS_DATA_DIR", "BENCH_FLOOR_URL", *SERVE_ENV):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    try:
        # drive() raises unless every contender's answers carry data (its warm-up checks each one).
        medians = run(sqlite_network, seconds=0.1, rounds=1)
    finally:
        get_settings.cache_clear()
    assert set(medians) == set(CONTENDERS)
    assert all(value > 0 for value in medians.values())
