"""Configuration, read once from the environment (``QAPRESS_*``) and never from code or files in the repo."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of qapress. Secrets (admin secret, salts, API keys) come only from the environment."""

    model_config = SettingsConfigDict(env_prefix="QAPRESS_", extra="ignore")

    data_dir: Path = Field(
        default=Path("qapress-data"), description="Folder for the embedded SQLite database."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; postgresql://... for PostgreSQL. Default: SQLite in data_dir.",
    )
    admin_secret: str | None = Field(default=None, description="Enables X-Hasura-Role and admin access.")
    debug: bool = False
    stringify_numeric_types: bool = Field(
        default=False,
        description="Like HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES: bigint/numeric as JSON strings.",
    )
    max_query_depth: int = 12
    anonymous_row_limit: int = 100
    max_body_bytes: int = 1_000_000
    statement_timeout_ms: int = 5_000
    plan_cache_size: int = 512

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
