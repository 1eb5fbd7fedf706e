"""``qapress ingest``, ``generate`` and ``publish`` end to end, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from typer.testing import CliRunner, Result

from qapress.cli import app
from qapress.settings import get_settings
from qapress.store.schema import domain, grounding_report, qa_ai, source

from .servers import FakeChat, Reply, chat_json, serve
from .test_openai_backend import GOOD, INVENTED
from .test_sources import ARTICLE_PAGE, PARAGRAPHS

SOURCES = Path(__file__).with_name("sources")
KINDS = ("sport", "science", "business", "politics", "technology")


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner whose ``qapress`` uses the test store, which has one domain: screen.localhost (id 7)."""
    with engine.begin() as connection:
        connection.execute(domain.insert(), {"id": 7, "host": "screen.localhost", "name": "Screen Q&A"})
    monkeypatch.setenv("QAPRESS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open the fetch policy to the test servers on 127.0.0.1, the way tests/links does it."""
    monkeypatch.setenv("QAPRESS_FETCH_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    get_settings.cache_clear()


def reef_site() -> Starlette:
    async def article(_: Request) -> Response:
        return HTMLResponse(ARTICLE_PAGE)

    async def plain(_: Request) -> Response:
        return PlainTextResponse("Coral reefs recover faster than expected\n" + "\n".join(PARAGRAPHS))

    return Starlette(routes=[Route("/science/reefs", article), Route("/science/reefs.txt", plain)])


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("qapress: error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def source_id_of(result: Result) -> int:
    assert result.exit_code == 0, result.output
    return int(result.stdout.split("source ")[1].split(":")[0])


def article_id_of(result: Result) -> int:
    assert result.exit_code == 0, result.output
    return int(result.stdout.split("draft ")[1].split()[0])


def test_ingest_generate_publish_the_seed(cli: CliRunner, engine: Engine, shared_dir: Path) -> None:
    seed = str(shared_dir / "seeds" / "source-article.txt")
    source_id = source_id_of(run(cli, "ingest", seed, "--publisher", "Variety"))
    again = run(cli, "ingest", seed)
    assert again.stdout.startswith(f"already stored: source {source_id}")

    made = run(cli, "generate", str(source_id), "--domain", "screen.localhost")
    # every answer written is kept (4 or 5: a side question may be cut to keep copied words under 25%)
    assert re.search(r"grounded: ([45]) of \1 answers kept", made.stdout)
    article_id = article_id_of(made)
    with engine.connect() as connection:
        row = connection.execute(sa.select(qa_ai).where(qa_ai.c.id == article_id)).mappings().one()
        report = (
            connection.execute(sa.select(grounding_report).where(grounding_report.c.article_id == article_id))
            .mappings()
            .one()
        )
    assert row["status"] == "draft" and row["source_id"] == source_id and row["domain"] == 7
    assert row["image_credit"] == "IMDb"
    assert row["date"] is not None
    faq = row["faq"] if isinstance(row["faq"], list) else json.loads(row["faq"])
    assert any("Leonardo DiCaprio" in item["answer"] for item in faq)
    assert "2026" in faq[0]["answer"]  # the release answer keeps the year and its hedge
    assert "published by Variety" in row["outro"]
    assert report["passed"] is True and report["backend"] == "extractive"
    # Every claim of the draft is in the report, with its verdict, reason and supporting source span.
    stored = report["report"] if isinstance(report["report"], dict) else json.loads(report["report"])
    claims = stored["claims"] + [claim for answer in stored["answers"] for claim in answer["claims"]]
    assert {claim["part"] for claim in claims} >= {"title", "lead", "body", "question", "answer"}
    assert all(claim["verdict"] in ("supported", "unsupported", "unverified") for claim in claims)
    assert all(
        claim["source_span"]
        for claim in claims
        if claim["verdict"] == "supported" and claim["part"] == "answer"
    )

    assert one_line_error(run(cli, "generate", str(source_id), "--domain", "7")).endswith(
        f"source {source_id} already has an article; use --again to write another draft"
    )
    shown = run(cli, "review", str(article_id)).stdout
    assert shown.startswith(f"article {article_id} (draft), source {source_id}")
    assert "Q1. Is there a release date for Heat 2?" in shown
    assert re.search(r"grounded: ([45]) of \1 answers kept", shown)
    assert "claims (verdict, part, claim — reason | source):" in shown and "[supported] answer: " in shown
    published = run(cli, "publish", str(article_id))
    assert published.exit_code == 0 and published.stdout.strip() == f"published article {article_id}"
    with engine.connect() as connection:
        status = connection.execute(sa.select(qa_ai.c.status).where(qa_ai.c.id == article_id)).scalar_one()
    assert status == "published"
    assert "already published" in one_line_error(run(cli, "publish", str(article_id)))


def test_all_new_makes_each_draft_once(cli: CliRunner, engine: Engine, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    lines = []
    for kind in KINDS:
        title, _, text = (SOURCES / f"{kind}.txt").read_text(encoding="utf-8").partition("\n")
        lines.append(json.dumps({"title": title, "text": text, "publisher": f"The {kind.title()} Desk"}))
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingested = run(cli, "ingest", str(feed))
    assert ingested.stdout.count("stored source") == 5

    first = run(cli, "generate", "--all-new", "--domain", "7")
    assert first.exit_code == 0, first.output
    assert first.stdout.count("grounded:") == 5
    assert "made 5 drafts from 5 new sources, 0 failed" in first.stderr
    second = run(cli, "generate", "--all-new", "--domain", "7")
    assert second.exit_code == 0
    assert "no new sources" in second.stderr
    with engine.connect() as connection:
        per_source = connection.execute(
            sa.select(qa_ai.c.source_id, sa.func.count()).group_by(qa_ai.c.source_id)
        ).all()
    assert sorted(count for _, count in per_source) == [1, 1, 1, 1, 1]


def test_ingest_a_page_from_a_local_server(cli: CliRunner, engine: Engine, allow_loopback: None) -> None:
    with serve(reef_site()) as site:
        result = run(cli, "ingest", f"{site}/science/reefs")
    source_id = source_id_of(result)
    with engine.connect() as connection:
        row = connection.execute(sa.select(source).where(source.c.id == source_id)).mappings().one()
    assert row["url"] == f"{site}/science/reefs"
    assert row["publisher"] == "The Reef Courier" and row["author"] == "Hannah Mills"
    assert row["image_credit"] == "Ana Torres/Ocean Images"
    assert str(row["date"]) == "2026-03-12"


def test_ingest_a_text_page_from_a_local_server(cli: CliRunner, engine: Engine, allow_loopback: None) -> None:
    with serve(reef_site()) as site:
        result = run(cli, "ingest", f"{site}/science/reefs.txt", "--publisher", "The Reef Courier")
    source_id = source_id_of(result)
    with engine.connect() as connection:
        row = connection.execute(sa.select(source).where(source.c.id == source_id)).mappings().one()
    assert row["url"] == f"{site}/science/reefs.txt"
    assert row["title"] == "Coral reefs recover faster than expected"
    assert row["publisher"] == "The Reef Courier" and "38 percent of reefs" in row["text"]


def test_ingest_refuses_a_local_address_unless_allow_listed(
    cli: CliRunner, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QAPRESS_FETCH_ALLOW_NETWORKS", raising=False)
    get_settings.cache_clear()
    with serve(reef_site()) as site:
        result = run(cli, "ingest", f"{site}/science/reefs")
    assert result.stdout == ""
    assert result.stderr.strip() == one_line_error(result)
    assert one_line_error(result).startswith(f"qapress: error: will not fetch {site}/science/reefs: ")
    assert "127.0.0.1 is a loopback address" in result.stderr
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(source)).scalar_one() == 0


def test_publish_refuses_a_draft_that_failed_its_check(
    cli: CliRunner, engine: Engine, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_id = source_id_of(run(cli, "ingest", str(shared_dir / "seeds" / "source-article.txt")))
    mostly_invented = {**INVENTED, "faq": [GOOD["faq"][0], *INVENTED["faq"][-1:], INVENTED["faq"][-1]]}
    chat = FakeChat(script=[Reply(chat_json(mostly_invented))])
    with serve(chat.app()) as url:
        monkeypatch.setenv("QAPRESS_OPENAI_BASE_URL", url + "/v1")
        monkeypatch.setenv("QAPRESS_OPENAI_MODEL", "test-model")
        get_settings.cache_clear()
        made = run(cli, "generate", str(source_id), "--domain", "7", "--backend", "openai")
    assert "not grounded: only 1 grounded answers" in made.stdout
    article_id = article_id_of(made)
    error = one_line_error(run(cli, "publish", str(article_id)))
    assert f"article {article_id} did not pass its grounding check" in error
    shown = run(cli, "review", str(article_id))
    assert shown.exit_code == 0
    assert "grounding (" in shown.stdout and "not grounded: only 1 grounded answers" in shown.stdout
    dropped = [
        line for line in shown.stdout.splitlines() if line.startswith("  dropped 'Who is producing it?'")
    ]
    assert dropped and "name 'Tom Cruise' is not in the source" in dropped[0]
    with engine.connect() as connection:
        row = connection.execute(sa.select(qa_ai.c.status, qa_ai.c.faq).where(qa_ai.c.id == article_id)).one()
    assert row.status == "draft"


def test_publish_refuses_a_draft_edited_after_its_check(
    cli: CliRunner, engine: Engine, shared_dir: Path
) -> None:
    source_id = source_id_of(run(cli, "ingest", str(shared_dir / "seeds" / "source-article.txt")))
    article_id = article_id_of(run(cli, "generate", str(source_id), "--domain", "7"))
    with engine.begin() as connection:
        faq = connection.execute(sa.select(qa_ai.c.faq).where(qa_ai.c.id == article_id)).scalar_one()
        faq = faq if isinstance(faq, list) else json.loads(faq)
        faq[0]["answer"] = "Filming starts in Paris in May 2027."
        connection.execute(qa_ai.update().where(qa_ai.c.id == article_id).values(faq=faq))
    error = one_line_error(run(cli, "publish", str(article_id)))
    assert "edited since its check" in error and "2027" in error


def test_a_hand_written_article_without_a_report_is_not_published(cli: CliRunner, engine: Engine) -> None:
    with engine.begin() as connection:
        article_id = connection.execute(
            qa_ai.insert().returning(qa_ai.c.id), {"domain": 7, "title": "Notes", "status": "draft"}
        ).scalar_one()
    assert "has no grounding report" in one_line_error(run(cli, "publish", str(article_id)))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "99", "--domain", "7"], "there is no source 99"),
        (["generate", "1", "--domain", "nowhere.localhost"], "there is no domain 'nowhere.localhost'"),
        (["generate", "--domain", "7"], "give either a SOURCE_ID or --all-new"),
        (["generate", "1", "--domain", "7", "--backend", "gpt"], "unknown backend 'gpt'"),
        (["generate", "1", "--domain", "7", "--backend", "openai"], "needs QAPRESS_OPENAI_BASE_URL"),
        (["publish", "12345"], "there is no article 12345"),
        (["ingest", "ftp://example.org/x"], "only http and https"),
        (["ingest", "/no/such/file.txt"], "no such file"),
    ],
)
def test_mistakes_are_one_line(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.delenv("QAPRESS_OPENAI_BASE_URL", raising=False)
    get_settings.cache_clear()
    assert message in one_line_error(run(cli, *args))


@pytest.mark.parametrize("verb", ["ingest", "generate", "review", "publish"])
def test_every_pipeline_verb_has_help(verb: str) -> None:
    result = CliRunner().invoke(app, [verb, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout
