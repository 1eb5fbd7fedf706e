"""An article's revision history: the list (version, time, who), one revision, a word diff of two, restore.

The article is first read through GraphQL as the account's role (not among its sites: not found); the
revisions themselves come from ``qapress.articles.editing``. Restoring is a save of the old fields as a new
version (so it is version-checked, re-grounded, kept and audited like any edit), for editors and owners.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from qapress.accounts import audit
from qapress.accounts.sessions import ActiveSession
from qapress.accounts.users import account_by_id
from qapress.articles.diff import WordChange, word_diff
from qapress.articles.editing import list_revisions, load_article, read_revision, restore_revision
from qapress.articles.errors import ArticleError, RevisionNotFound
from qapress.articles.fields import ArticleFields
from qapress.newsroom.auth import PREFIX, client_address
from qapress.newsroom.forms import FieldError
from qapress.newsroom.graphql import may_update_article
from qapress.newsroom.render import redirect
from qapress.store import begin_write

if TYPE_CHECKING:
    from qapress.newsroom.app import Form, Newsroom
    from qapress.newsroom.drafts import DraftPages


@dataclass(frozen=True)
class FieldDiff:
    """One field of two revisions, word by word."""

    label: str
    changes: tuple[WordChange, ...]


def field_texts(fields: ArticleFields) -> list[tuple[str, str]]:
    """The fields as the labelled texts a diff compares (the FAQ as one text of questions and answers)."""
    faq = "\n".join(f"Q{n}: {item.question}\nA{n}: {item.answer}" for n, item in enumerate(fields.faq, 1))
    return [
        ("Title", fields.title),
        ("Slug", fields.slug),
        ("Lead", fields.lead),
        ("Body", fields.text),
        ("Questions and answers", faq),
        ("Outro", fields.outro),
        ("Date", fields.date.isoformat() if fields.date else ""),
        ("Image address", fields.image_url or ""),
        ("Image credit", fields.image_credit or ""),
    ]


def revision_diff(old: ArticleFields, new: ArticleFields) -> list[FieldDiff]:
    """The fields that differ, each as a word diff (pure)."""
    return [
        FieldDiff(label, tuple(word_diff(before, after)))
        for (label, before), (_, after) in zip(field_texts(old), field_texts(new), strict=True)
        if before != after
    ]


def version_param(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


class RevisionPages:
    def __init__(self, newsroom: Newsroom, drafts: DraftPages) -> None:
        self.newsroom = newsroom
        self.drafts = drafts

    def history(self, request: Request, session: ActiveSession, _form: Form) -> Response:
        """The list, and with ``?from=&to=`` the diff of two revisions."""
        nr = self.newsroom
        article_id = int(request.path_params["article_id"])
        article = self.drafts.article(session, article_id)
        if article is None:
            return self.drafts.not_found(request, session)
        old_version = version_param(request.query_params.get("from"))
        new_version = version_param(request.query_params.get("to"))
        errors: list[FieldError] = []
        diff: list[FieldDiff] | None = None
        with nr.engine.connect() as connection:
            current = load_article(connection, article_id).version
            revisions = list_revisions(connection, article_id)
            who = self._emails(connection, {r.actor_id for r in revisions if r.actor_id is not None})
            if old_version is not None and new_version is not None:
                try:
                    old = read_revision(connection, article_id, old_version)
                    new = read_revision(connection, article_id, new_version)
                except RevisionNotFound:
                    errors.append(FieldError("from", "Choose two versions this article has"))
                else:
                    diff = revision_diff(old.fields, new.fields)
        return nr.render(
            request,
            "revisions.html",
            session,
            400 if errors else 200,
            article=article,
            revisions=revisions,
            who=who,
            current=current,
            old_version=old_version,
            new_version=new_version,
            diff=diff,
            errors=errors,
            notice=(
                "That version is the same as the current one: nothing was restored."
                if request.query_params.get("unchanged")
                else None
            ),
            can_edit=session.account.role in ("owner", "editor"),
        )

    def revision(self, request: Request, session: ActiveSession, _form: Form) -> Response:
        """One revision's fields, with the restore button."""
        nr = self.newsroom
        article_id = int(request.path_params["article_id"])
        article = self.drafts.article(session, article_id)
        if article is None:
            return self.drafts.not_found(request, session)
        version = int(request.path_params["version"])
        with nr.engine.connect() as connection:
            current = load_article(connection, article_id).version
            try:
                revision = read_revision(connection, article_id, version)
            except RevisionNotFound:
                return self.drafts.not_found(request, session)
            who = self._emails(connection, {revision.actor_id} if revision.actor_id else set())
        return nr.render(
            request,
            "revision.html",
            session,
            article=article,
            revision=revision,
            texts=field_texts(revision.fields),
            who=who,
            current=current,
            can_edit=session.account.role in ("owner", "editor"),
        )

    def restore(self, request: Request, session: ActiveSession, _form: Form) -> Response:
        nr = self.newsroom
        article_id = int(request.path_params["article_id"])
        version = int(request.path_params["version"])
        article = self.drafts.article(session, article_id)
        if article is None:
            return self.drafts.not_found(request, session)
        if not may_update_article(nr.data, session.account, article_id, "title"):
            return nr.render(
                request,
                "message.html",
                session,
                403,
                heading="Not allowed",
                message=f"Your role ({session.account.role}) cannot restore revisions.",
            )
        try:
            with begin_write(nr.engine) as connection:
                saved = restore_revision(connection, article_id, version, session.account.id)
                if not saved.changed:
                    return redirect(f"{PREFIX}/articles/{article_id}/revisions?unchanged={version}")
                audit.record(
                    connection,
                    session.account.email.lower(),
                    "article.restore",
                    str(article_id),
                    {"restored": version, "version": saved.version},
                    client_address(request),
                )
        except ArticleError as exc:
            return nr.render(
                request,
                "message.html",
                session,
                409,
                heading="Not restored",
                message=str(exc)[:1].upper() + str(exc)[1:],
            )
        return redirect(f"{PREFIX}/articles/{article_id}?done=restore")

    @staticmethod
    def _emails(connection: sa.Connection, ids: set[int]) -> dict[int, str]:
        """Who saved: the accounts' emails by id (an account removed since is left out)."""
        found = {}
        for account_id in ids:
            account = account_by_id(connection, account_id)
            if account is not None:
                found[account_id] = account.email
        return found
