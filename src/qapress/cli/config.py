"""``qapress config``: the settings in effect, where each came from, secrets masked."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
import typer
from pydantic import SecretStr

from qapress.settings import Settings, get_settings

#: Settings whose values are never printed (only whether they are set).
SECRET_NAMES = ("secret", "key", "salt", "password", "token")
MASK = "********"


def is_secret(name: str) -> bool:
    return any(word in name for word in SECRET_NAMES)


def shown_value(name: str, value: object) -> str:
    """The value as the environment would spell it, or a mask for secrets; passwords in URLs are hidden."""
    if value is None:
        return ""
    if isinstance(value, SecretStr) or is_secret(name):
        return MASK
    if name == "database_url" and isinstance(value, str):
        try:
            return sa.engine.make_url(value).render_as_string(hide_password=True)
        except sa.exc.ArgumentError:
            return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def effective_settings(settings: Settings) -> list[tuple[str, str, str]]:
    """``(variable, shown value, source)`` for every setting, in the class's order."""
    rows = []
    for name in type(settings).model_fields:
        source = "environment" if name in settings.model_fields_set else "default"
        rows.append((f"QAPRESS_{name.upper()}", shown_value(name, getattr(settings, name)), source))
    return rows


def config() -> None:
    """Print every setting in effect as VARIABLE=value, with where it came from; secrets are masked."""
    settings = get_settings()
    for variable, value, source in effective_settings(settings):
        typer.echo(f"{variable}={value}  # {source}")
    resolved = shown_value("database_url", settings.resolved_database_url())
    typer.echo(f"# the database in use: {resolved}")
