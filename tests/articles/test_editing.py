"""Saving with a version check, the revision history, diffs and restore, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.articles.editing import (
    Saved,
    diff_revisions,
    list_revisions,
    load_article,
    read_revision,
    restore_revision,
    save_article,
)
from qapress.articles.errors import (
    ArticleNotFound,
    InvalidFields,
    PublishRefused,
    RevisionNotFound,
    VersionConflict,
)
from qapress.articles.publishing import publish_article
from qapress.store import begin_write, open_engine
from qapress.store.schema import article_revision, grounding_report, qa_ai

from .conftest import T0, MakeDraft


def save(
    engine: Engine, article_id: int, fields: dict[str, object], version: int, actor: int | None = 1
) -> Saved:
    with begin_write(engine) as connection:
        return save_article(connection, article_id, fields, version, actor, now=T0)


def loaded(engine: Engine, article_id: int) -> tuple[int, str]:
    with engine.connect() as connection:
        article = load_article(connection, article_id)
    return article.version, article.fields.lead


def test_a_save_bumps_the_version_and_keeps_both_states_as_revisions(engine: Engine, draft: int) -> None:
    version, lead = loaded(engine, draft)
    assert version == 1
    saved = save(engine, draft, {"lead": "An edited lead."}, 1, actor=42)
    assert (saved.version, saved.previous_version, saved.changed, saved.actor_id) == (2, 1, ("lead",), 42)
    assert loaded(engine, draft) == (2, "An edited lead.")
    with engine.connect() as connection:
        history = list_revisions(connection, draft)
        assert [(r.version, r.actor_id) for r in history] == [(2, 42), (1, None)]
        assert read_revision(connection, draft, 1).fields.lead == lead
        assert read_revision(connection, draft, 2).fields.lead == "An edited lead."


def test_the_second_of_two_editors_gets_a_conflict_not_a_lost_update(engine: Engine, draft: int) -> None:
    first_loaded, _ = loaded(engine, draft)
    second_loaded, _ = loaded(engine, draft)
    save(engine, draft, {"lead": "The first editor's lead."}, first_loaded, actor=1)
    with pytest.raises(VersionConflict) as caught:
        save(engine, draft, {"lead": "The second editor's lead."}, second_loaded, actor=2)
    assert caught.value.current_version == 2 and caught.value.expected_version == 1
    assert "reload it" in str(caught.value)
    assert loaded(engine, draft) == (2, "The first editor's lead.")
    with engine.connect() as connection:
        assert [r.version for r in list_revisions(connection, draft)] == [2, 1]


def test_concurrent_saves_of_one_version_let_exactly_one_through(engine: Engine, draft: int) -> None:
    editors = 6
    engines = [open_engine(engine.url.render_as_string(hide_password=False)) for _ in range(editors)]
    barrier = threading.Barrier(editors)
    outcomes: list[object] = []
    lock = threading.Lock()

    def edit(number: int) -> None:
        barrier.wait()
        try:
            result: object = save(engines[number], draft, {"lead": f"Lead of editor {number}."}, 1, number)
        except VersionConflict as conflict:
            result = conflict
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for other in engines:
        other.dispose()
    saved = [outcome for outcome in outcomes if isinstance(outcome, Saved)]
    conflicts = [outcome for outcome in outcomes if isinstance(outcome, VersionConflict)]
    assert len(saved) == 1 and len(conflicts) == editors - 1
    assert all(conflict.current_version == 2 for conflict in conflicts)
    winner = saved[0]
    with engine.connect() as connection:
        revisions = list_revisions(connection, draft)
    assert [r.version for r in revisions] == [2, 1] and revisions[0].actor_id is not None
    assert loaded(engine, draft) == (2, f"Lead of editor {revisions[0].actor_id}.")
    assert winner.version == 2


def test_a_save_with_the_same_values_writes_nothing(engine: Engine, draft: int) -> None:
    _, lead = loaded(engine, draft)
    saved = save(engine, draft, {"lead": lead}, 1)
    assert saved.changed == () and saved.version == 1
    with engine.connect() as connection:
        assert list_revisions(connection, draft) == []


def test_every_save_rechecks_grounding_and_stores_the_report(engine: Engine, draft: int) -> None:
    with engine.connect() as connection:
        faq = [
            {"question": item.question, "answer": item.answer}
            for item in load_article(connection, draft).fields.faq
        ]
    faq[0]["answer"] = "Filming starts in Paris in May 2027 with Tom Cruise."
    saved = save(engine, draft, {"faq": faq}, 1)
    assert saved.grounding is not None and saved.grounding_passed is False
    assert any("Tom Cruise" in reason for a in saved.grounding.answers for reason in a.reasons)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.select(grounding_report.c.report).where(grounding_report.c.article_id == draft)
        ).scalar_one()
    stored = stored if isinstance(stored, dict) else json.loads(stored)
    assert any("Tom Cruise" in reason for a in stored["answers"] for reason in a["reasons"])
    with pytest.raises(PublishRefused, match="edited since its check"), begin_write(engine) as connection:
        publish_article(connection, draft, 1)


def test_a_published_article_keeps_passing_or_the_edit_is_refused(engine: Engine, draft: int) -> None:
    with begin_write(engine) as connection:
        publish_article(connection, draft, 1)
    with pytest.raises(PublishRefused, match="is published and the edit fails its grounding check"):
        save(engine, draft, {"lead": "Tom Cruise stars in Heat 2, out in May 2027."}, 1)
    assert loaded(engine, draft)[0] == 1
    assert save(engine, draft, {"title": "Heat 2: what we know so far"}, 1).version == 2


def test_diff_and_restore(engine: Engine, draft: int) -> None:
    _, original = loaded(engine, draft)
    save(engine, draft, {"lead": "Second lead."}, 1)
    save(engine, draft, {"lead": "Third lead."}, 2)
    with engine.connect() as connection:
        diff = diff_revisions(connection, draft, 1, 3)
    assert "+  Third lead." in diff.splitlines() and f"-  {original.splitlines()[0]}" in diff.splitlines()
    with begin_write(engine) as connection:
        restored = restore_revision(connection, draft, 1, 7)
    assert restored.version == 4 and restored.restored_from == 1 and restored.changed == ("lead",)
    assert loaded(engine, draft) == (4, original)
    with engine.connect() as connection:
        assert [(r.version, r.actor_id) for r in list_revisions(connection, draft)][:2] == [(4, 7), (3, 1)]
        assert diff_revisions(connection, draft, 1, 4) == ""


def test_restore_with_a_stale_version_conflicts(engine: Engine, draft: int) -> None:
    save(engine, draft, {"lead": "Second lead."}, 1)
    with pytest.raises(VersionConflict), begin_write(engine) as connection:
        restore_revision(connection, draft, 1, 3, expected_version=1)


def test_unknown_things_are_named(engine: Engine, draft: int) -> None:
    with engine.connect() as connection:
        with pytest.raises(ArticleNotFound, match="there is no article 999"):
            list_revisions(connection, 999)
        with pytest.raises(RevisionNotFound, match=f"article {draft} has no revision 5"):
            read_revision(connection, draft, 5)
    with pytest.raises(InvalidFields, match="title: the title is blank"):
        save(engine, draft, {"title": " "}, 1)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(article_revision)).scalar() == 0
        assert connection.execute(sa.select(qa_ai.c.version).where(qa_ai.c.id == draft)).scalar() == 1


def test_revisions_go_with_their_article(engine: Engine, make_draft: MakeDraft) -> None:
    first, second = make_draft(), make_draft()
    save(engine, first, {"lead": "x"}, 1)
    save(engine, second, {"lead": "y"}, 1)
    with engine.begin() as connection:
        connection.execute(grounding_report.delete().where(grounding_report.c.article_id == first))
        connection.execute(qa_ai.delete().where(qa_ai.c.id == first))
        left = connection.execute(sa.select(article_revision.c.article_id).distinct()).scalars().all()
    assert left == [second]
