"""Hasura's metadata directory (version 3, as ``hasura metadata export`` writes it), and the metadata applied.

The layout::

    version.yaml                          version: 3
    databases/databases.yaml              - name: default, kind: postgres, tables: "!include default/tables/tables.yaml"
    databases/default/tables/tables.yaml  - "!include public_author.yaml"
    databases/default/tables/public_author.yaml
    databases/default/functions/functions.yaml (and one file per function)
    inherited_roles.yaml
    api_limits.yaml                       depth_limit, node_limit, batch_limit, rate_limit (global, per_role)

``!include FILE`` (as the CLI writes it, a quoted string, or as a YAML tag) is read relative to the file that
holds it. Other files of the directory (actions, remote schemas ...) are not part of what qapress serves and
are left alone. ``qapress metadata apply`` keeps the applied metadata as one JSON file in the data folder;
the server reads it from there, else serves qapress's own.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import yaml

from qapress.engine.errors import MetadataError

APPLIED_FILE = "metadata.json"
INCLUDE = "!include "


#: libyaml's safe loader when PyYAML was built with it (about 10x faster on qapress's own metadata, read by every
#: worker at start), else the pure-Python one; both load the same safe subset.
if TYPE_CHECKING:
    SafeLoader = yaml.SafeLoader
else:
    SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` through the fastest safe loader there is."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 (a safe loader)


class _Loader(SafeLoader):
    """YAML with Hasura's ``!include`` tag."""


def _include_tag(loader: _Loader, node: yaml.Node) -> str:
    return INCLUDE + str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("!include", _include_tag)


def _load(path: Path, seen: frozenset[Path] = frozenset()) -> Any:
    """A YAML file of the directory with every ``!include`` in it resolved."""
    resolved = path.resolve()
    if resolved in seen:
        raise MetadataError(f"metadata file {path} includes itself")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except OSError as exc:
        raise MetadataError(f"cannot read metadata file {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise MetadataError(f"metadata file {path} is not valid YAML: {exc}") from exc
    return _resolve(raw, path.parent, seen | {resolved})


def _resolve(value: Any, base: Path, seen: frozenset[Path]) -> Any:
    if isinstance(value, str) and value.startswith(INCLUDE):
        return _load(base / value[len(INCLUDE) :].strip(), seen)
    if isinstance(value, list):
        return [_resolve(item, base, seen) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, base, seen) for key, item in value.items()}
    return value


def read_metadata_dir(directory: Path) -> dict[str, Any]:
    """The directory as one Hasura v3 metadata object (``{"version": 3, "sources": [...], ...}``)."""
    if not directory.is_dir():
        raise MetadataError(f"{directory} is not a directory")
    version_file = directory / "version.yaml"
    version = (_load(version_file) or {}).get("version") if version_file.exists() else None
    if version != 3:
        raise MetadataError(
            f"{directory}: expected a version 3 metadata directory (version.yaml: version: 3)"
        )
    databases = directory / "databases" / "databases.yaml"
    sources = _load(databases) if databases.exists() else []
    if not isinstance(sources, list):
        raise MetadataError(f"{databases}: expected a list of databases")
    metadata: dict[str, Any] = {"version": 3, "sources": []}
    for source in sources:
        if not isinstance(source, dict) or "name" not in source:
            raise MetadataError(f"{databases}: every database needs a name")
        entry = dict(source)
        entry["tables"] = source.get("tables") or []
        entry["functions"] = source.get("functions") or []
        metadata["sources"].append(entry)
    inherited = directory / "inherited_roles.yaml"
    if inherited.exists():
        metadata["inherited_roles"] = _load(inherited) or []
    limits = directory / "api_limits.yaml"
    if limits.exists():
        metadata["api_limits"] = _load(limits) or {}
    return metadata


def write_metadata_dir(metadata: dict[str, Any], directory: Path) -> None:
    """Write ``metadata`` as ``hasura metadata export`` lays it out (one file per table and function)."""
    directory.mkdir(parents=True, exist_ok=True)
    _dump(directory / "version.yaml", {"version": 3})
    databases: list[dict[str, Any]] = []
    for source in metadata.get("sources", []):
        name = str(source["name"])
        folder = directory / "databases" / name
        entry = {k: v for k, v in source.items() if k not in ("tables", "functions")}
        entry["tables"] = INCLUDE + f"{name}/tables/tables.yaml"
        includes = []
        for table in source.get("tables") or []:
            file = f"{_qualified(table['table'])}.yaml"
            _dump(folder / "tables" / file, table)
            includes.append(INCLUDE + file)
        _dump(folder / "tables" / "tables.yaml", includes)
        if source.get("functions"):
            entry["functions"] = INCLUDE + f"{name}/functions/functions.yaml"
            includes = []
            for function in source["functions"]:
                file = f"{_qualified(function['function'])}.yaml"
                _dump(folder / "functions" / file, function)
                includes.append(INCLUDE + file)
            _dump(folder / "functions" / "functions.yaml", includes)
        databases.append(entry)
    _dump(directory / "databases" / "databases.yaml", databases)
    if metadata.get("inherited_roles"):
        _dump(directory / "inherited_roles.yaml", metadata["inherited_roles"])
    if metadata.get("api_limits"):
        _dump(directory / "api_limits.yaml", metadata["api_limits"])


def _qualified(name: Any) -> str:
    if isinstance(name, dict):
        return f"{name.get('schema', 'public')}_{name['name']}"
    return f"public_{name}"


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(value, sort_keys=False, allow_unicode=True), encoding="utf-8")


def as_sources(raw: Any) -> dict[str, Any]:
    """Any metadata qapress reads (a bare ``tables`` list, ``{tables: ...}`` or v3 ``{sources: ...}``) as a
    v3 object with a ``default`` PostgreSQL source, so that it can be exported and compared."""
    if isinstance(raw, list):
        raw = {"tables": raw}
    if not isinstance(raw, dict):
        raise MetadataError("metadata must be a list of tables or an object")
    if "sources" in raw:
        return {"version": 3, **raw}
    out: dict[str, Any] = {
        "version": 3,
        "sources": [
            {
                "name": "default",
                "kind": "postgres",
                "tables": raw.get("tables") or [],
                "functions": raw.get("functions") or [],
                # Hasura keeps native queries and their logical models with their source (v2.28+).
                **{key: raw[key] for key in ("logical_models", "native_queries") if raw.get(key)},
            }
        ],
    }
    for key in ("inherited_roles", "api_limits"):
        if raw.get(key):
            out[key] = raw[key]
    return out


def packaged_metadata() -> dict[str, Any]:
    """qapress's own metadata as a v3 object."""
    text = resources.files("qapress.engine").joinpath("qapress_metadata.yaml").read_text(encoding="utf-8")
    return as_sources(safe_yaml(text))


def applied_metadata(data_dir: Path) -> dict[str, Any] | None:
    """The metadata last applied with ``qapress metadata apply``, or None when none was."""
    path = data_dir / APPLIED_FILE
    if not path.exists():
        return None
    try:
        loaded: dict[str, Any] = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise MetadataError(f"cannot read the applied metadata {path}: {exc}") from exc
    return loaded


def current_metadata(data_dir: Path) -> dict[str, Any]:
    """What the server serves: the applied metadata, else qapress's own."""
    return applied_metadata(data_dir) or packaged_metadata()


def save_applied(metadata: dict[str, Any], data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / APPLIED_FILE
    path.write_bytes(orjson.dumps(metadata, option=orjson.OPT_INDENT_2))
    return path


def metadata_diff(current: dict[str, Any], wanted: dict[str, Any]) -> str:
    """A unified diff of two metadata objects as YAML (empty when they are the same)."""

    def text(value: dict[str, Any]) -> list[str]:
        return yaml.safe_dump(_normalized(value), sort_keys=True, allow_unicode=True).splitlines(
            keepends=True
        )

    return "".join(difflib.unified_diff(text(current), text(wanted), "server", "directory"))


def _normalized(metadata: dict[str, Any]) -> dict[str, Any]:
    """Sources without their connection configuration, tables and functions in name order: what qapress
    serves, compared regardless of how the files list it."""
    out = {k: v for k, v in metadata.items() if k != "sources"}
    out["sources"] = [
        {
            **{k: v for k, v in source.items() if k not in ("configuration", "tables", "functions")},
            "tables": sorted(source.get("tables") or [], key=lambda t: _qualified(t["table"])),
            "functions": sorted(source.get("functions") or [], key=lambda f: _qualified(f["function"])),
        }
        for source in metadata.get("sources", [])
    ]
    return out
