"""Configuration, read once from the environment (``QAPRESS_*``) and never from code or files in the repo."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of qapress. Secrets (admin secret, salts, API keys) come only from the environment."""

    # ``none`` turns off a setting whose default is a limit (QAPRESS_MAX_COST_ANONYMOUS=none: no budget).
    model_config = SettingsConfigDict(env_prefix="QAPRESS_", extra="ignore", env_parse_none_str="none")

    data_dir: Path = Field(
        default=Path("qapress-data"), description="Folder for the embedded SQLite database."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; postgresql://... for PostgreSQL. Default: SQLite in data_dir.",
    )
    admin_secret: str | None = Field(default=None, description="Enables X-Hasura-Role and admin access.")
    db_pool_size: int = Field(
        default=10,
        ge=1,
        description="PostgreSQL connections per process, shared by the engine, the pages and the link worker; "
        "a server needs workers x this below its max_connections.",
    )
    database_replica_urls: str | None = Field(
        default=None,
        description="Comma-separated PostgreSQL read replicas: pages and anonymous queries read from them.",
    )
    replica_max_lag_seconds: float = Field(
        default=5.0, gt=0, description="A replica further behind the primary than this is skipped."
    )
    replica_check_seconds: float = Field(
        default=1.0, gt=0, description="How often each process checks its replicas' reachability and lag."
    )
    database_pooler: Literal["transaction"] | None = Field(
        default=None,
        description="'transaction' when the URLs point at a transaction-mode pooler (PgBouncer): no "
        "server-side prepared statements, no session settings.",
    )
    db_pool_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long a request waits for a free connection before a 503."
    )
    sqlite_busy_timeout_ms: int = Field(
        default=10_000,
        ge=0,
        description="How long a SQLite writer waits for the lock before 'busy, try again'.",
    )
    debug: bool = False
    stringify_numeric_types: bool = Field(
        default=False,
        description="Like HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES: bigint/numeric as JSON strings.",
    )
    max_query_depth: int = 12
    anonymous_row_limit: int = 100
    max_body_bytes: int = 1_000_000
    body_timeout_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Longest wait for each part of a request's body before a 408 (slow-body clients); 0: none.",
    )
    statement_timeout_ms: int = 5_000
    plan_cache_size: int = 512
    infer_function_permissions: bool = Field(
        default=True,
        description="Like HASURA_GRAPHQL_INFER_FUNCTION_PERMISSIONS: false shows a tracked function only to "
        "roles granted it in the metadata.",
    )
    persisted_queries: bool = Field(
        default=True,
        description="Apollo's automatic persisted queries (extensions.persistedQuery); false: ignored, as Hasura.",
    )
    persisted_queries_max: int = Field(
        default=10_000, ge=0, description="Automatic persisted queries kept in the database (the oldest go)."
    )
    trusted_documents_only: bool = Field(
        default=False,
        description="The roles of QAPRESS_TRUSTED_DOCUMENTS_ROLES run only trusted documents.",
    )
    trusted_documents_roles: list[str] = Field(
        default=["anonymous"], description="Roles bound by QAPRESS_TRUSTED_DOCUMENTS_ONLY."
    )
    graphql_get_max_age: int = Field(
        default=60,
        ge=0,
        description="Cache-Control max-age of anonymous GET /v1/graphql answers (s); 0: none.",
    )

    # --- What one GraphQL request may cost (qapress.engine.cost): estimated answer bytes per role ---
    max_cost_anonymous: int | None = Field(
        default=16_000_000,
        description="Budget of one anonymous request (a batch summed), in estimated answer bytes; unset: none.",
    )
    max_cost_admin: int | None = Field(
        default=None, description="Budget of one admin request; default: none."
    )
    max_cost: int | None = Field(
        default=None,
        description="Budget of one request of any other role not in max_cost_roles; default: none.",
    )
    max_cost_roles: dict[str, int | None] = Field(
        default={}, description='Budgets by role name, e.g. {"user": 50000000}; override the ones above.'
    )
    cost_default_rows: int = Field(
        default=1_000,
        ge=1,
        description="Rows the estimate counts for a list bounded by no limit or table size.",
    )
    cost_text_bytes: int = Field(
        default=1_000,
        ge=1,
        description="Bytes the estimate counts for a text value without a declared length.",
    )
    max_answer_bytes: int | None = Field(
        default=32_000_000,
        description="Hard cap on one answer's bytes, checked while it is built; unset: none.",
    )
    max_batch_bytes: int | None = Field(
        default=64_000_000, description="Hard cap on the bytes of all the answers of one batch; unset: none."
    )

    # --- API limits per role (qapress.engine.limits), as Hasura's api_limits; admin has none by default ---
    depth_limit_anonymous: int | None = Field(
        default=16,
        ge=0,
        description="Deepest nesting of fields in an anonymous query, fragments expanded (introspection is 15).",
    )
    node_limit_anonymous: int | None = Field(
        default=100,
        ge=0,
        description="Most fields with a selection set in an anonymous query, fragments expanded (Hasura's nodes).",
    )
    alias_limit_anonymous: int | None = Field(
        default=30, ge=0, description="Most aliased fields in an anonymous query, fragments expanded."
    )
    batch_limit_anonymous: int | None = Field(
        default=10,
        ge=1,
        description="Most operations in one anonymous batched request (at most 100 for any role).",
    )
    rate_limit_anonymous: int | None = Field(
        default=600,
        ge=0,
        description="Anonymous operations a minute per client address (sliding window; a batch counts each).",
    )
    api_limits: dict[str, Any] = Field(
        default={},
        description='Hasura\'s api_limits object for any role, e.g. {"depth_limit": {"global": 10, "per_role": '
        '{"user": 8}}, "rate_limit": {"per_role": {"user": {"max_reqs_per_min": 100, "unique_params": '
        '["x-hasura-user-id"]}}}}; the metadata\'s api_limits override it, it overrides the ones above.',
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:6379/0: count the rate limits in Redis, shared by every worker and host.",
    )
    rate_limit_redis_prefix: str = Field(
        default="qapress:rate:", description="Prefix of the rate limit's keys in Redis."
    )
    rate_limit_fail_closed: bool = Field(
        default=False,
        description="With Redis unreachable, refuse rate-limited requests (503) instead of admitting them.",
    )

    # --- Public URLs (the article's canonical address; shared by the site and the backlink check) ---
    public_scheme: str = Field(default="https", description="Scheme of canonical article URLs.")
    public_base_url: str | None = Field(
        default=None,
        description="Local override of https://{host}, e.g. http://{host}:8000 ({host} is optional).",
    )

    # --- Readers' links: the page's rules (qapress.links) ---
    links_trailing_slash_matters: bool = Field(
        default=True,
        description="false: /a/b and /a/b/ are the same URL for the duplicate rule (for links sent from now on).",
    )
    links_max_per_page: int = Field(default=5, ge=1, description="Pending, live and hidden links per page.")
    links_duplicates_site_wide: bool = Field(
        default=False,
        description="Reject a URL already linked from any page of the same site, not only the page.",
    )
    links_rate_limit_per_hour: int = Field(
        default=10, ge=0, description="Accepted submissions per IP an hour; 0 turns the limit off."
    )
    links_max_url_length: int = 2_048
    links_max_request_bytes: int = Field(default=16_384, description="Largest body the link form accepts.")
    ip_hash_salt: str | None = Field(
        default=None, description="Salt of the stored IP hashes; when unset, one is generated in data_dir."
    )

    # --- Readers' links: fetching the submitted page and checking its backlink ---
    fetch_connect_timeout: float = 5.0
    fetch_total_timeout: float = 15.0
    fetch_max_redirects: int = 5
    fetch_max_bytes: int = 2 * 1024 * 1024
    fetch_allowed_ports: list[int] = Field(default=[80, 443])
    fetch_allow_networks: list[str] = Field(
        default=[],
        description=(
            "Networks the fetcher (backlink check, `qapress ingest URL`) may reach although private, "
            "on any port (e.g. 127.0.0.1/32)."
        ),
    )
    links_check_tries: int = Field(default=3, ge=1, description="Tries before a network error is final.")
    links_retry_base_seconds: float = 60.0
    links_recheck_seconds: float = Field(default=86_400.0, description="How often live links are re-checked.")
    links_worker_poll_seconds: float = 30.0
    # --- IndexNow (qapress.indexnow): pings on publish, edit and withdraw, sent by the worker ---
    indexnow_enabled: bool = Field(
        default=False, description="Send the queued IndexNow pings (off: they wait in the queue, unsent)."
    )
    indexnow_endpoint: str = Field(
        default="https://api.indexnow.org/indexnow", description="Where IndexNow pings are POSTed."
    )
    indexnow_key: str | None = Field(
        default=None,
        description="The IndexNow key (8-128 of a-z A-Z 0-9 -); default: generated into data_dir.",
    )
    indexnow_max_attempts: int = Field(default=6, ge=1, description="Tries of one ping before giving up.")
    links_worker_in_serve: bool = Field(default=True, description="`qapress serve` runs the link worker too.")

    # --- generate: the openai backend (any OpenAI-compatible chat endpoint) and URL ingestion.
    openai_base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:8080/v1")
    openai_model: str | None = None
    openai_api_key: SecretStr | None = Field(default=None, description="Sent as a Bearer token; env only.")
    openai_timeout_s: float = Field(
        default=60.0,
        description="Wait for the whole answer; with openai_stream, for each chunk of it.",
    )
    openai_max_attempts: int = 3
    openai_response_format: Literal["json_schema", "json_object", "plain"] = Field(
        default="json_schema",
        description="Structured output asked for first; a server that refuses it gets the next one.",
    )
    openai_context_tokens: int = Field(
        default=8_192, ge=512, description="The model's context window; longer requests are refused."
    )
    openai_max_output_tokens: int = Field(default=2_048, ge=256, description="Room kept for the answer.")
    openai_stream: bool = Field(default=False, description="Read the answer as server-sent events.")
    openai_total_timeout_s: float = Field(
        default=600.0, description="With openai_stream: the longest a whole answer may take."
    )
    ingest_timeout_s: float = Field(
        default=20.0, description="`qapress ingest URL`: total time for the fetch."
    )
    ingest_max_bytes: int = Field(default=5_000_000, description="`qapress ingest URL`: largest page read.")

    # --- Feeds (qapress.feeds): polled by `qapress worker`; fetched under the ingest_* limits.
    feeds_poll_seconds: float = Field(default=1_800.0, gt=0, description="How often each feed is polled.")
    feeds_lease_seconds: float = Field(
        default=600.0,
        gt=0,
        description="A claimed feed's poll must finish within this, or it is polled again.",
    )
    feeds_max_items_per_poll: int = Field(default=50, ge=1, description="Newest items read per poll.")
    feeds_in_worker: bool = Field(default=True, description="`qapress worker` polls the feeds too.")

    # --- The sites (qapress.site) ---
    domain: str | None = Field(
        default=None, description="Pin one site by host for local use: every unknown host gets it (--domain)."
    )
    default_host: str | None = Field(
        default=None, description="The site an unknown Host gets; default: the domain with the smallest id."
    )
    unknown_host_404: bool = Field(default=False, description="Answer 404 to unknown hosts instead.")
    secret_key: str | None = Field(
        default=None, description="Signs the form's CSRF tokens (random if unset)."
    )
    page_cache_size: int = Field(default=2_048, ge=0, description="Rendered pages kept per process; 0: none.")
    page_cache_hits_on_loop: bool | None = Field(
        default=None,
        description="Answer page-cache hits on the event loop, not the threadpool; default: on SQLite only.",
    )
    page_max_age: int = Field(default=60, ge=0, description="Cache-Control max-age of anonymous pages (s).")
    page_stale_while_revalidate: int = Field(
        default=30,
        ge=0,
        description="Cache-Control stale-while-revalidate of pages (s): a proxy may answer "
        "with the old page while it fetches the new one.",
    )
    page_stale_if_error: int = Field(
        default=86_400,
        ge=0,
        description="Cache-Control stale-if-error of pages (s): a proxy may answer with "
        "the old page while qapress is down.",
    )
    page_tag_headers: list[Literal["Surrogate-Key", "Cache-Tag"]] = Field(
        default=["Surrogate-Key", "Cache-Tag"],
        description="The headers naming a page's cache tags: Surrogate-Key (Varnish, Fastly), Cache-Tag "
        "(Cloudflare); each costs a few microseconds a cache hit, so send only those the proxy in front reads.",
    )
    cache_changes: Literal["auto", "data_version", "notify", "poll", "query"] = Field(
        default="auto",
        description="How each process learns of changes: auto (SQLite data_version, PostgreSQL LISTEN), "
        "poll (every cache_changes_poll_seconds; what auto picks with database_pooler=transaction), query (every hit).",
    )
    cache_changes_poll_seconds: float = Field(
        default=1.0, gt=0, description="The poll interval of cache_changes=poll: the staleness bound (s)."
    )
    cache_log_retention_hours: float = Field(
        default=24.0, gt=0, description="How long the cache invalidation log keeps a change (h)."
    )
    # --- Purging the proxies and CDNs in front (qapress.site.purge): queued in the database, retried ---
    purge_varnish_urls: list[str] = Field(
        default=[], description="Varnish instances running the shipped VCL, purged by tag."
    )
    purge_varnish_method: Literal["xkey", "ban"] = Field(
        default="xkey",
        description="How Varnish is purged: xkey (PURGE with xkey-purge, qapress.vcl) or ban (BAN with "
        "x-ban-tags, for a Varnish without the xkey vmod: qapress-ban.vcl).",
    )
    purge_fastly_service_id: str | None = Field(default=None, description="Fastly service purged by key.")
    purge_fastly_api_token: SecretStr | None = Field(default=None, description="Fastly API token; env only.")
    purge_fastly_base_url: str = Field(default="https://api.fastly.com", description="Fastly's API.")
    purge_cloudflare_zone_id: str | None = Field(default=None, description="Cloudflare zone purged by tag.")
    purge_cloudflare_api_token: SecretStr | None = Field(
        default=None, description="Cloudflare API token (Cache Purge permission); env only."
    )
    purge_cloudflare_base_url: str = Field(
        default="https://api.cloudflare.com/client/v4", description="Cloudflare's API."
    )
    purge_webhook_url: str | None = Field(
        default=None, description='POSTed {"tags": [...]} for each batch of purged tags.'
    )
    purge_timeout_seconds: float = Field(default=5.0, gt=0, description="Longest wait for one purge request.")
    purge_poll_seconds: float = Field(
        default=0.5, gt=0, description="How often the purge worker looks for queued tags (s)."
    )
    purge_retry_max_seconds: float = Field(
        default=300.0, gt=0, description="The longest wait between tries of a failed purge (backoff cap)."
    )
    purge_worker_in_serve: bool = Field(
        default=True, description="`qapress serve` delivers the purge queue (and prunes the log)."
    )
    home_page_size: int = Field(
        default=20, ge=1, le=99, description="Articles per home page (the row limit is 100)."
    )

    # --- The newsroom (qapress.newsroom): sign-in, sessions and throttling ---
    newsroom_session_hours: float = Field(default=12.0, gt=0, description="A session's longest life.")
    newsroom_idle_minutes: float = Field(default=120.0, gt=0, description="A session unused this long ends.")
    newsroom_signin_failures_per_account: int = Field(
        default=5, ge=1, description="Failed sign-ins for one email per window before signing in pauses."
    )
    newsroom_signin_failures_per_client: int = Field(
        default=20, ge=1, description="Failed sign-ins from one address per window before signing in pauses."
    )
    newsroom_signin_window_seconds: float = Field(default=900.0, gt=0, description="The throttle's window.")

    # --- Operations: logs and metrics (qapress.observe) ---
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines for people (text) or one JSON object a line (json)."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="The least important qapress log records shown."
    )
    access_log: bool | None = Field(
        default=None,
        description=(
            "One log line per request, with an X-Request-Id header; default: on in `qapress demo` and "
            "with QAPRESS_LOG_FORMAT=json."
        ),
    )
    metrics: bool = Field(default=True, description="Serve Prometheus metrics at /metrics.")

    def logs_requests(self) -> bool:
        """Whether each request gets a log line and an ``X-Request-Id``."""
        return self.access_log if self.access_log is not None else self.log_format == "json"

    def resolved_replica_urls(self) -> list[str]:
        """The replicas' URLs, each with psycopg 3 as driver (none on SQLite, which has no replicas)."""
        raw = self.database_replica_urls or ""
        return [normalize_database_url(url.strip()) for url in raw.split(",") if url.strip()]

    def resolved_database_url(self) -> str:
        """The database URL, with the SQLite default under ``data_dir`` and psycopg 3 as PostgreSQL driver."""
        if self.database_url:
            return normalize_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'qapress.db').as_posix()}"


def normalize_database_url(url: str) -> str:
    """Accept the plain ``postgresql://`` and ``postgres://`` forms and pick psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
