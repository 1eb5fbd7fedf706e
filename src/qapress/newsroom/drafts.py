"""A site's draft queue, a draft's page (source beside draft, grounding report, edit form) and its status.

Reads and writes go through GraphQL as the account's role: an article the role may not read is "not
found", an update it may not make is refused by the engine. Each save re-runs the grounding check against
the article's news source and stores the report (a derived value, like the check ``qapress generate`` runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from qapress.accounts import audit
from qapress.accounts.sessions import ActiveSession
from qapress.generate.draft import Draft, FaqItem
from qapress.generate.grounding import GroundingReport, check_draft
from qapress.generate.repository import load_source
from qapress.newsroom.auth import PREFIX, client_address
from qapress.newsroom.forms import ArticleForm, FieldError
from qapress.newsroom.graphql import NewsroomQueryError
from qapress.newsroom.render import redirect
from qapress.site.urls import article_path
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

UPDATE_MUTATION = """
mutation Save($id: Int!, $set: qa_ai_set_input!) {
  update_qa_ai_by_pk(pk_columns: {id: $id}, _set: $set) { id status }
}
"""

STATUS_ACTIONS = {"publish": "published", "unpublish": "draft"}


def verdict(grounding: dict[str, Any] | None) -> str:
    if grounding is None:
        return "not checked"
    report = grounding.get("report")
    if isinstance(report, dict):
        return GroundingReport.from_json(report).summary()
    return "grounded" if grounding.get("passed") else "not grounded"


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
        articles = [{**a, "verdict": verdict(a["grounding"])} for a in data["qa_ai"]]
        return nr.render(
            request,
            "queue.html",
            session,
            site=data["domain_by_pk"],
            articles=articles,
            queue=name,
            queues=[(key, label) for key, (label, _) in QUEUES.items()],
        )

    def _article(self, session: ActiveSession, article_id: int) -> dict[str, Any] | None:
        article: dict[str, Any] | None = self.newsroom.data.run(
            session.account, ARTICLE_QUERY, {"id": article_id}
        )["qa_ai_by_pk"]
        return article

    def _show(
        self,
        request: Request,
        session: ActiveSession,
        article: dict[str, Any],
        form: ArticleForm | None = None,
        errors: list[FieldError] | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Response:
        grounding = article["grounding"]
        report = GroundingReport.from_json(grounding["report"]) if grounding and grounding["report"] else None
        settings = self.newsroom.settings
        public = site_base_url(article["site"]["host"], settings.public_scheme, settings.public_base_url)
        return self.newsroom.render(
            request,
            "draft.html",
            session,
            status,
            article=article,
            form=form or ArticleForm.from_article(article),
            errors=errors or [],
            notice=notice,
            report=report,
            verdict=verdict(grounding),
            public_url=public + article_path(article["id"], article["slug"]),
            can_edit=session.account.role in ("owner", "editor"),
        )

    def draft(self, request: Request, session: ActiveSession, fields: Form) -> Response:
        nr = self.newsroom
        article_id = int(request.path_params["article_id"])
        article = self._article(session, article_id)
        if article is None:
            return nr.render(
                request,
                "message.html",
                session,
                404,
                heading="No such article",
                message="There is no such article among your sites.",
            )
        if request.method == "GET":
            done = {"publish": "Published.", "unpublish": "Unpublished: back among the drafts."}
            return self._show(
                request, session, article, notice=done.get(request.query_params.get("done", ""))
            )
        form = ArticleForm.from_post(fields)
        errors = form.problems()
        if errors:
            return self._show(request, session, article, form, errors, status=400)
        values = form.values()
        try:
            saved = nr.data.run(session.account, UPDATE_MUTATION, {"id": article_id, "set": values})
        except NewsroomQueryError as exc:
            message = "Your role cannot edit articles." if exc.code == "validation-failed" else str(exc)
            return self._show(request, session, article, form, [FieldError("title", message)], status=403)
        if saved["update_qa_ai_by_pk"] is None:
            return self._show(
                request,
                session,
                article,
                form,
                [FieldError("title", "You may not edit this article.")],
                status=403,
            )
        report = self._recheck(article, values)
        with nr.engine.begin() as connection:
            actor = session.account.email.lower()
            audit.record(
                connection,
                actor,
                "article.edit",
                str(article_id),
                {"title": values["title"]},
                client_address(request),
            )
        fresh = self._article(session, article_id) or article
        notice = "Saved." + (f" Grounding check: {report.summary()}." if report else "")
        return self._show(request, session, fresh, notice=notice)

    def _recheck(self, article: dict[str, Any], values: dict[str, Any]) -> GroundingReport | None:
        """Re-run the grounding check on the saved text and store its report; None without a source."""
        if article["source_id"] is None:
            return None
        engine = self.newsroom.engine
        source = load_source(engine, article["source_id"])
        draft = Draft(
            title=values["title"],
            lead=values["lead"],
            body=tuple(p for p in values["text"].split("\n\n") if p.strip()),
            faq=tuple(FaqItem(item["question"], item["answer"]) for item in values["faq"]),
            outro=values["outro"],
        )
        _, report = check_draft(draft, source)
        row = {"passed": report.passed, "report": report.to_json(), "backend": "newsroom-edit"}
        with engine.begin() as connection:
            updated = connection.execute(
                grounding_report.update()
                .where(grounding_report.c.article_id == article["id"])
                .values(**row, checked_at=sa.func.current_timestamp())
            ).rowcount
            if not updated:
                connection.execute(grounding_report.insert().values(article_id=article["id"], **row))
        return report

    def set_status(self, request: Request, session: ActiveSession, fields: Form) -> Response:
        nr = self.newsroom
        article_id = int(request.path_params["article_id"])
        action = fields.get("action", "")
        article = self._article(session, article_id)
        if article is None:
            return nr.render(
                request,
                "message.html",
                session,
                404,
                heading="No such article",
                message="There is no such article among your sites.",
            )
        if action not in STATUS_ACTIONS:
            return self._show(
                request, session, article, errors=[FieldError("status", "Unknown action.")], status=400
            )
        target = STATUS_ACTIONS[action]
        if action == "publish":
            # The check the publication depends on is of the text as it is now (it may have been changed
            # through /v1/graphql since the last save here), as `qapress publish` does.
            self._recheck(article, ArticleForm.from_article(article).values())
        try:
            saved = nr.data.run(
                session.account,
                UPDATE_MUTATION,
                {"id": article_id, "set": {"status": target, "updated_at": audit.utc_now().isoformat()}},
            )
        except NewsroomQueryError as exc:
            if exc.code == "permission-error":
                message = "This draft cannot be published: its grounding check failed. Fix the flagged claims and save."
            elif exc.code == "validation-failed":
                message = f"Your role ({session.account.role}) cannot {action} articles."
            else:
                message = str(exc)
            return self._show(request, session, article, errors=[FieldError("status", message)], status=403)
        if saved["update_qa_ai_by_pk"] is None:
            return self._show(
                request,
                session,
                article,
                errors=[FieldError("status", "You may not change this article.")],
                status=403,
            )
        with nr.engine.begin() as connection:
            audit.record(
                connection,
                session.account.email.lower(),
                f"article.{action}",
                str(article_id),
                None,
                client_address(request),
            )
        return redirect(f"{PREFIX}/articles/{article_id}?done={action}")
