"""A site's draft queue, a draft's page (source beside draft, grounding report, edit form) and its status.

Reads go through GraphQL as the account's role: an article the role may not read is "not found". Writes go
through ``qapress.articles`` (a save is version-checked, kept as a revision and re-grounded; publishing
states follow its transitions and grounding rule), after the engine has said the role may make them
(``may_update_article``). Each write and its audit entry commit in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from qapress.accounts import audit
from qapress.accounts.sessions import ActiveSession
from qapress.articles.editing import EditableArticle, load_article, save_article
from qapress.articles.errors import ArticleError, InvalidFields, PublishRefused, VersionConflict
from qapress.articles.publishable import regrounded
from qapress.articles.publishing import (
    StatusChange,
    publish_article,
    schedule_article,
    unpublish_article,
    withdraw_article,
)
from qapress.generate.grounding import GroundingReport
from qapress.newsroom.auth import PREFIX, client_address
from qapress.newsroom.forms import ArticleForm, FieldError
from qapress.newsroom.graphql import may_update_article
from qapress.newsroom.render import redirect
from qapress.newsroom.support import answer_support
from qapress.site.urls import article_path
from qapress.store import begin_write
from qapress.store.schema import grounding_report
from qapress.store.urls import site_base_url

if TYPE_CHECKING:
    from qapress.newsroom.app import Form, Newsroom

#: The queue's tabs: name -> label and the ``where`` on the site's articles.
QUEUES: dict[str, tuple[str, dict[str, Any]]] = {
    "new": (
        "New",
        {
            "status": {"_eq": "draft"},
            "_or": [{"grounding": {"passed": {"_eq": True}}}, {"_not": {"grounding": {}}}],
        },
    ),
    "attention": ("Needs attention", {"status": {"_eq": "draft"}, "grounding": {"passed": {"_eq": False}}}),
    "scheduled": ("Scheduled", {"status": {"_eq": "scheduled"}}),
    "published": ("Published", {"status": {"_eq": "published"}}),
    "withdrawn": ("Withdrawn", {"status": {"_eq": "withdrawn"}}),
}

QUEUE_QUERY = """
query Queue($site: Int!, $where: qa_ai_bool_exp!) {
  domain_by_pk(id: $site) { id host name }
  qa_ai(where: {_and: [{domain: {_eq: $site}}, $where]}, order_by: {id: desc}, limit: 200) {
    id title status created_at updated_at
    news_source { title publisher url }
    grounding { passed report }
  }
}
"""

ARTICLE_QUERY = """
query Article($id: Int!) {
  qa_ai_by_pk(id: $id) {
    id domain title slug lead text faq outro date image_url image_credit status source_id created_at updated_at
    site { id host name }
    news_source { id title publisher author date url text }
    grounding { passed report checked_at }
  }
}
"""

#: What each publishing button does, and the page's notice after it.
STATUS_ACTIONS = ("publish", "schedule", "unpublish", "withdraw")
DONE = {
    "publish": "Published.",
    "schedule": "Scheduled: the worker publishes it at the time you chose.",
    "unpublish": "Unpublished: back among the drafts.",
    "withdraw": "Withdrawn: its page now answers 410 Gone.",
    "restore": "Restored: the revision is saved as a new version.",
}
#: Scheduling times are typed and shown in UTC (sites have no time zone of their own).
TIMEZONE = "UTC"


def verdict(grounding: dict[str, Any] | None) -> str:
    if grounding is None:
        return "not checked"
    report = grounding.get("report")
    if isinstance(report, dict):
        return GroundingReport.from_json(report).summary()
    return "grounded" if grounding.get("passed") else "not grounded"


def parse_schedule_time(raw: str) -> dt.datetime | None:
    """A ``datetime-local`` value (``2026-03-01T09:30``), taken as UTC; ``None`` when it is not one."""
    try:
        moment = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def sentence_case(message: str) -> str:
    return message[:1].upper() + message[1:]


class DraftPages:
    def __init__(self, newsroom: Newsroom) -> None:
        self.newsroom = newsroom

    def queue(self, request: Request, session: ActiveSession, _form: Form) -> Response:
        nr = self.newsroom
        name = request.query_params.get("queue", "new")
        if name not in QUEUES:
            name = "new"
        site_id = int(request.path_params["site_id"])
        data = nr.data.run(session.account, QUEUE_QUERY, {"site": site_id, "where": QUEUES[name][1]})
        if data["domain_by_pk"] is None:
            return nr.render(
                request,
                "message.html",
                session,
                404,
                heading="No such site",
                message="There is no such site here.",
            )
        due: dict[int, dt.datetime | None] = {}
        if name == "scheduled":
            with nr.engine.connect() as connection:
                due = {a["id"]: load_article(connection, a["id"]).scheduled_at for a in data["qa_ai"]}
        articles = [{**a, "verdict": verdict(a["grounding"]), "due": due.get(a["id"])} for a in data["qa_ai"]]
        return nr.render(
            request,
            "queue.html",
            session,
            site=data["domain_by_pk"],
            articles=articles,
            queue=name,
            queues=[(key, label) for key, (label, _) in QUEUES.items()],
            timezone=TIMEZONE,
        )

    def article(self, session: ActiveSession, article_id: int) -> dict[str, Any] | None:
        """The article as the account's role reads it (``None``: not among its sites)."""
        article: dict[str, Any] | None = self.newsroom.data.run(
            session.account, ARTICLE_QUERY, {"id": article_id}
        )["qa_ai_by_pk"]
        return article

    def not_found(self, request: Request, session: ActiveSession) -> Response:
        return self.newsroom.render(
            request,
            "message.html",
            session,
            404,
            heading="No such article",
            message="There is no such article among your sites.",
        )

    def _stored(self, article_id: int) -> EditableArticle:
        with self.newsroom.engine.connect() as connection:
            return load_article(connection, article_id)

    def _show(
        self,
        request: Request,
        session: ActiveSession,
        article: dict[str, Any],
        form: ArticleForm | None = None,
        errors: list[FieldError] | None = None,
        notice: str | None = None,
        status: int = 200,
        *,
        version: int | None = None,
        conflict: int | None = None,
        schedule_value: str = "",
    ) -> Response:
        grounding = article["grounding"]
        report = GroundingReport.from_json(grounding["report"]) if grounding and grounding["report"] else None
        settings = self.newsroom.settings
        public = site_base_url(article["site"]["host"], settings.public_scheme, settings.public_base_url)
        stored = self._stored(article["id"])
        source = article["news_source"]
        support = answer_support(article.get("faq") or [], source["text"]) if source else []
        return self.newsroom.render(
            request,
            "draft.html",
            session,
            status,
            article=article,
            form=form or ArticleForm.from_article(article),
            version=stored.version if version is None else version,
            conflict=conflict,
            scheduled_at=stored.scheduled_at,
            schedule_value=schedule_value,
            timezone=TIMEZONE,
            errors=errors or [],
            notice=notice,
            report=report,
            support=support,
            verdict=verdict(grounding),
            public_url=public + article_path(article["id"], article["slug"]),
            can_edit=session.account.role in ("owner", "editor"),
        )

    def draft(self, request: Request, session: ActiveSession, fields: Form) -> Response:
        """The draft's page; a POST saves the form through the lifecycle's version check."""
        nr = self.newsroom
        article_id = int(request.path_params["article_id"])
        article = self.article(session, article_id)
        if article is None:
            return self.not_found(request, session)
        if request.method == "GET":
            return self._show(
                request, session, article, notice=DONE.get(request.query_params.get("done", ""))
            )
        form = ArticleForm.from_post(fields)
        raw_version = fields.get("version", "")
        loaded = int(raw_version) if raw_version.isdigit() and len(raw_version) < 10 else None
        errors = form.problems()
        if loaded is None:
            errors.append(FieldError("title", "This form has no version; reload the page and edit again."))
        if errors:
            return self._show(request, session, article, form, errors, status=400, version=loaded)
        assert loaded is not None
        if not may_update_article(nr.data, session.account, article_id, "title"):
            message = f"Your role ({session.account.role}) cannot edit articles."
            return self._show(
                request, session, article, form, [FieldError("title", message)], status=403, version=loaded
            )
        values = form.values()
        try:
            with begin_write(nr.engine) as connection:
                saved = save_article(connection, article_id, values, loaded, session.account.id)
                if saved.changed:
                    audit.record(
                        connection,
                        session.account.email.lower(),
                        "article.edit",
                        str(article_id),
                        {"version": saved.version, "changed": list(saved.changed)},
                        client_address(request),
                    )
        except VersionConflict as exc:
            message = (
                f"Someone else saved this article (now version {exc.current_version}) after you opened "
                f"version {exc.expected_version}. Nothing was saved: your text is still in the form. "
                "Compare it with the current version, then save again to replace that version with yours."
            )
            fresh = self.article(session, article_id) or article
            return self._show(
                request,
                session,
                fresh,
                form,
                [FieldError("title", message)],
                status=409,
                version=exc.current_version,
                conflict=exc.current_version,
            )
        except InvalidFields as exc:
            field = {"faq": "faq-0-question"}.get(exc.field, exc.field)
            error = FieldError(field, sentence_case(str(exc)))
            return self._show(request, session, article, form, [error], status=400, version=loaded)
        except ArticleError as exc:  # a live article whose new text fails its check, ...
            error = FieldError("title", sentence_case(str(exc)))
            return self._show(request, session, article, form, [error], status=409, version=loaded)
        fresh = self.article(session, article_id) or article
        if not saved.changed:
            notice = "Nothing changed, so nothing was saved."
        elif saved.grounding is not None:
            notice = f"Saved as version {saved.version}. Grounding check: {saved.grounding.summary()}."
        else:
            notice = f"Saved as version {saved.version}."
        return self._show(request, session, fresh, notice=notice)

    def _refresh_report(self, connection: sa.Connection, article_id: int) -> None:
        """Re-run the check on the article's text as it is now and store it (it may have been edited at
        ``/v1/graphql`` since its last check), so the publishing rule reads a report of the current text."""
        current = load_article(connection, article_id, lock=True)
        if current.source_id is None:
            return
        report, _ = regrounded(connection, current.source_id, current.fields)
        connection.execute(
            grounding_report.update()
            .where(grounding_report.c.article_id == article_id)
            .values(passed=report.passed, report=report.to_json(), checked_at=sa.func.current_timestamp())
        )

    def set_status(self, request: Request, session: ActiveSession, fields: Form) -> Response:
        """Publish now, schedule, unpublish or withdraw, through ``qapress.articles.publishing``."""
        nr = self.newsroom
        article_id = int(request.path_params["article_id"])
        action = fields.get("action", "")
        article = self.article(session, article_id)
        if article is None:
            return self.not_found(request, session)
        schedule_value = fields.get("scheduled_at", "")

        def refused(field: str, message: str, status: int) -> Response:
            return self._show(
                request,
                session,
                article,
                errors=[FieldError(field, message)],
                status=status,
                schedule_value=schedule_value,
            )

        if action not in STATUS_ACTIONS:
            return refused("status", "Choose publish, schedule, unpublish or withdraw.", 400)
        when = parse_schedule_time(schedule_value) if action == "schedule" else None
        if action == "schedule" and when is None:
            return refused("scheduled_at", f"Enter the date and time to publish at ({TIMEZONE})", 400)
        if not may_update_article(nr.data, session.account, article_id, "status"):
            return refused("status", f"Your role ({session.account.role}) cannot {action} articles.", 403)
        actor, actor_id = session.account.email.lower(), session.account.id
        if action in ("publish", "schedule"):
            with begin_write(nr.engine) as connection:  # kept even when the publication is refused
                self._refresh_report(connection, article_id)
        try:
            with begin_write(nr.engine) as connection:
                change: StatusChange
                if action == "publish":
                    change = publish_article(connection, article_id, actor_id)
                elif action == "schedule":
                    assert when is not None
                    change = schedule_article(connection, article_id, when, actor_id)
                elif action == "unpublish":
                    change = unpublish_article(connection, article_id, actor_id)
                else:
                    change = withdraw_article(connection, article_id, actor_id)
                detail: dict[str, Any] = {"from": change.before, "to": change.after}
                if change.scheduled_at is not None:
                    detail["at"] = change.scheduled_at.isoformat()
                audit.record(
                    connection, actor, f"article.{action}", str(article_id), detail, client_address(request)
                )
        except ArticleError as exc:
            field = "scheduled_at" if action == "schedule" and "future" in str(exc) else "status"
            return refused(field, sentence_case(str(exc)), 403 if isinstance(exc, PublishRefused) else 409)
        return redirect(f"{PREFIX}/articles/{article_id}?done={action}")
