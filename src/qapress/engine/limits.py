"""API limits per role, in the shape of Hasura's ``api_limits`` metadata: depth, nodes, aliases, batch size
and rate, each with a ``global`` value and ``per_role`` values.

The size of an operation is measured as if its fragments were expanded (inline and named, nested, a spread
counted every time it is expanded) but without expanding them: each named fragment is summarised once and its
summary added wherever it is spread, so a document whose fragments fan out to 2^100 fields is measured in
time linear in its length. The measure runs on the parsed document before it is validated, so the validator
never sees a document over its role's limits.

* **depth**: the fields on the longest path from a root field to a leaf (``{ articles { title } }`` is 2).
* **nodes**: fields with a selection set, as Hasura counts them (``{ articles { title domain { host } } }``
  has 2).
* **aliases**: fields written with an alias.

Limits come in layers (qapress's defaults, the settings, the metadata); a role's own value in any layer beats
a ``global`` value, an upper layer beats a lower one, and ``admin`` has no limit unless one is set for it by
name. ``None`` is no limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from qapress.engine.errors import EngineError, MetadataError, ValidationFailed
from qapress.engine.permissions import ADMIN, ANONYMOUS

if TYPE_CHECKING:
    from qapress.settings import Settings

#: Counts stop growing here: a fan-out past it is over any limit anyway, and the numbers stay small.
SATURATED = 1 << 62
#: The operation-size limits, by their Hasura names (``alias_limit`` is qapress's own).
SIZE_KINDS = ("depth_limit", "node_limit", "alias_limit")
KINDS = (*SIZE_KINDS, "batch_limit")
#: What each limit counts, for messages.
WHAT = {
    "depth_limit": "depth",
    "node_limit": "node count",
    "alias_limit": "alias count",
    "batch_limit": "size",
}
ADVICE = {
    "depth_limit": "nest fewer fields",
    "node_limit": "select fewer nested objects and lists",
    "alias_limit": "use fewer aliases",
    "batch_limit": "send fewer operations in one request",
}


@dataclass(frozen=True)
class OperationSize:
    """What an operation measures once its fragments are expanded."""

    depth: int = 0
    nodes: int = 0
    aliases: int = 0

    def of(self, kind: str) -> int:
        return {"depth_limit": self.depth, "node_limit": self.nodes, "alias_limit": self.aliases}[kind]


def _add(a: int, b: int) -> int:
    return min(a + b, SATURATED)


class _Measure:
    """Each fragment summarised once, in dependency order (an explicit stack: a chain of thousands of
    fragments must not exhaust Python's recursion), then every selection set summed with them."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.done: dict[str, OperationSize] = {}
        stack: list[tuple[str, bool]] = [(name, False) for name in fragments]
        open_: set[str] = set()
        while stack:
            name, ready = stack.pop()
            if name in self.done:
                continue
            if ready:
                open_.discard(name)
                self.done[name] = self.selections(fragments[name].selection_set)
                continue
            if name in open_:
                continue
            open_.add(name)
            stack.append((name, True))
            # A spread of a fragment still open is a cycle (the validator's to report): it adds nothing.
            stack += [
                (d, False)
                for d in _spreads(fragments[name].selection_set)
                if d in fragments and d not in open_
            ]

    def selections(self, selection_set: SelectionSetNode | None) -> OperationSize:
        depth = nodes = aliases = 0
        for selection in selection_set.selections if selection_set is not None else ():
            if isinstance(selection, FieldNode):
                sub = self.selections(selection.selection_set)
                depth = max(depth, sub.depth + 1)
                nodes = _add(nodes, _add(sub.nodes, 1 if selection.selection_set is not None else 0))
                aliases = _add(aliases, _add(sub.aliases, 1 if selection.alias is not None else 0))
                continue
            if isinstance(selection, InlineFragmentNode):
                sub = self.selections(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                # Unknown fragments and cycles are the validator's to report; they add nothing here.
                sub = self.done.get(selection.name.value, EMPTY)
            else:  # pragma: no cover - graphql-core has no other selections
                continue
            depth = max(depth, sub.depth)
            nodes = _add(nodes, sub.nodes)
            aliases = _add(aliases, sub.aliases)
        return OperationSize(depth, nodes, aliases)


EMPTY = OperationSize()


def _spreads(selection_set: SelectionSetNode | None) -> list[str]:
    """The fragments spread in a selection set, at any nesting within it."""
    names: list[str] = []
    for selection in selection_set.selections if selection_set is not None else ():
        if isinstance(selection, FragmentSpreadNode):
            names.append(selection.name.value)
        elif isinstance(selection, (FieldNode, InlineFragmentNode)):
            names += _spreads(selection.selection_set)
    return names


def measure(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> OperationSize:
    """The operation's depth, nodes and aliases with ``fragments`` expanded, without expanding them."""
    return _Measure(fragments).selections(operation.selection_set)


def chosen_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    """The operation a request runs, as graphql-core picks it; None when the validator will refuse it."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == operation_name), None)


@dataclass(frozen=True)
class RateLimit:
    """Hasura's ``RateLimitOption``: requests (operations) a minute, counted per role and per these
    parameters: ``"IP"`` (the client's address), session variables by name, or nothing (the role alone)."""

    max_reqs_per_min: int
    unique_params: str | tuple[str, ...] | None = None


@dataclass(frozen=True)
class LimitOption:
    """Hasura's ``APILimitOption``: a ``global`` value and ``per_role`` values; absent keys are not set."""

    global_: int | None = None
    has_global: bool = False
    per_role: Mapping[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RateOption:
    global_: RateLimit | None = None
    has_global: bool = False
    per_role: Mapping[str, RateLimit | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiLimits:
    """One layer of limits, or several overlaid (:meth:`over`)."""

    disabled: bool | None = None
    options: Mapping[str, LimitOption] = field(default_factory=dict)
    rate: RateOption = field(default_factory=RateOption)

    @classmethod
    def from_hasura(cls, raw: Any, source: str = "api_limits") -> ApiLimits:
        """Read Hasura's ``api_limits`` object (``set_api_limits``'s args; ``source`` names it in errors).
        ``alias_limit`` is qapress's own; Hasura's ``time_limit`` is accepted and left to the statement
        timeout (``QAPRESS_STATEMENT_TIMEOUT_MS``)."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise MetadataError(f"{source} must be an object: {raw!r}")
        unknown = sorted(set(raw) - {*KINDS, "rate_limit", "disabled", "time_limit"})
        if unknown:
            raise MetadataError(f"{source}: unknown limits {', '.join(unknown)}")
        disabled = raw.get("disabled")
        if disabled is not None and not isinstance(disabled, bool):
            raise MetadataError(f"{source}.disabled must be true or false")
        options = {kind: _limit_option(raw[kind], f"{source}.{kind}") for kind in KINDS if kind in raw}
        rate = (
            _rate_option(raw["rate_limit"], f"{source}.rate_limit") if "rate_limit" in raw else RateOption()
        )
        return cls(disabled, options, rate)

    def over(self, lower: ApiLimits) -> ApiLimits:
        """This layer overlaid on ``lower``: its global values replace, its per-role values add or replace."""
        options = dict(lower.options)
        for kind, option in self.options.items():
            below = options.get(kind, LimitOption())
            options[kind] = LimitOption(
                option.global_ if option.has_global else below.global_,
                option.has_global or below.has_global,
                {**below.per_role, **option.per_role},
            )
        rate = RateOption(
            self.rate.global_ if self.rate.has_global else lower.rate.global_,
            self.rate.has_global or lower.rate.has_global,
            {**lower.rate.per_role, **self.rate.per_role},
        )
        disabled = self.disabled if self.disabled is not None else lower.disabled
        return ApiLimits(disabled, options, rate)

    def limit(self, kind: str, role: str) -> int | None:
        """The role's limit of ``kind`` (``depth_limit`` ...), None for none."""
        if self.disabled:
            return None
        option = self.options.get(kind)
        if option is None:
            return None
        if role in option.per_role:
            return option.per_role[role]
        return None if role == ADMIN else option.global_

    def rate_limit(self, role: str) -> RateLimit | None:
        if self.disabled:
            return None
        if role in self.rate.per_role:
            return self.rate.per_role[role]
        return None if role == ADMIN else self.rate.global_


def _count(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MetadataError(f"{where} must be a whole number of 0 or more, or null: {value!r}")
    return value


def _limit_option(raw: Any, where: str) -> LimitOption:
    if not isinstance(raw, dict):
        raise MetadataError(f"{where} must be an object with global and/or per_role: {raw!r}")
    per_role = raw.get("per_role") or {}
    if not isinstance(per_role, dict):
        raise MetadataError(f"{where}.per_role must map role names to limits")
    return LimitOption(
        _count(raw.get("global"), f"{where}.global"),
        "global" in raw,
        {str(role): _count(value, f"{where}.per_role.{role}") for role, value in per_role.items()},
    )


def _rate(raw: Any, where: str) -> RateLimit | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "max_reqs_per_min" not in raw:
        raise MetadataError(f"{where} needs max_reqs_per_min: {raw!r}")
    per_min = _count(raw["max_reqs_per_min"], f"{where}.max_reqs_per_min")
    if per_min is None:
        return None
    params = raw.get("unique_params")
    unique: str | tuple[str, ...] | None
    if params is None:
        unique = None
    elif isinstance(params, str) and params.upper() == "IP":
        unique = "IP"
    elif isinstance(params, list) and all(isinstance(p, str) for p in params):
        unique = tuple(p.lower() for p in params)
    else:
        raise MetadataError(f'{where}.unique_params must be "IP" or a list of session variables: {params!r}')
    return RateLimit(per_min, unique)


def _rate_option(raw: Any, where: str) -> RateOption:
    if not isinstance(raw, dict):
        raise MetadataError(f"{where} must be an object with global and/or per_role: {raw!r}")
    per_role = raw.get("per_role") or {}
    if not isinstance(per_role, dict):
        raise MetadataError(f"{where}.per_role must map role names to rate limits")
    return RateOption(
        _rate(raw.get("global"), f"{where}.global"),
        "global" in raw,
        {str(role): _rate(value, f"{where}.per_role.{role}") for role, value in per_role.items()},
    )


class LimitExceeded(ValidationFailed):
    """An operation (or a batch) over one of its role's API limits: refused before it is validated or run."""

    def __init__(self, kind: str, value: int, limit: int, role: str) -> None:
        what = "batch" if kind == "batch_limit" else "query"
        shown = f"{value:,}" if value < SATURATED else f"more than {SATURATED:,}"
        super().__init__(
            f"the {what}'s {WHAT[kind]} of {shown} exceeds the {kind.replace('_', ' ')} of {limit:,} for role "
            f'"{role}" ({setting(kind, role)}): {ADVICE[kind]}'
        )
        self.kind = kind


def setting(kind: str, role: str) -> str:
    """Where a role's limit of ``kind`` is set, for messages."""
    if role == ANONYMOUS:
        return f"QAPRESS_{kind.upper()}_ANONYMOUS, QAPRESS_API_LIMITS or the metadata's api_limits"
    return "QAPRESS_API_LIMITS or the metadata's api_limits"


def check_size(limits: ApiLimits, role: str, document: DocumentNode, operation_name: str | None) -> None:
    """Raise :class:`LimitExceeded` when the operation ``document`` runs is over a size limit of ``role``."""
    if limits.disabled or not any(limits.limit(kind, role) is not None for kind in SIZE_KINDS):
        return
    operation = chosen_operation(document, operation_name)
    if operation is None:
        return
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    size = measure(operation, fragments)
    for kind in SIZE_KINDS:
        limit = limits.limit(kind, role)
        if limit is not None and size.of(kind) > limit:
            raise LimitExceeded(kind, size.of(kind), limit, role)


def batch_refusal(limits: ApiLimits, role: str, size: int) -> EngineError | None:
    """The error for a batch of ``size`` operations over the role's batch limit, else None."""
    limit = limits.limit("batch_limit", role)
    if limit is None or size <= limit:
        return None
    return LimitExceeded("batch_limit", size, limit, role)


def defaults_layer(anonymous: Mapping[str, int | None], rate: RateLimit | None) -> ApiLimits:
    """The layer of qapress's per-setting defaults: limits of the anonymous role alone."""
    options = {kind: LimitOption(per_role={ANONYMOUS: value}) for kind, value in anonymous.items()}
    return ApiLimits(None, options, RateOption(per_role={ANONYMOUS: rate}))


def layered(layers: Sequence[ApiLimits]) -> ApiLimits:
    """``layers`` overlaid, the first on top."""
    result = ApiLimits()
    for layer in reversed(layers):
        result = layer.over(result)
    return result


def limits_from_settings(settings: Settings) -> ApiLimits:
    """The layers below the metadata's: ``QAPRESS_API_LIMITS`` over the ``QAPRESS_*_LIMIT_ANONYMOUS`` ones."""
    anonymous = {
        "depth_limit": settings.depth_limit_anonymous,
        "node_limit": settings.node_limit_anonymous,
        "alias_limit": settings.alias_limit_anonymous,
        "batch_limit": settings.batch_limit_anonymous,
    }
    per_min = settings.rate_limit_anonymous
    rate = RateLimit(per_min, "IP") if per_min is not None else None
    return layered(
        [
            ApiLimits.from_hasura(settings.api_limits or None, "QAPRESS_API_LIMITS"),
            defaults_layer(anonymous, rate),
        ]
    )


__all__ = [
    "ApiLimits",
    "LimitExceeded",
    "LimitOption",
    "OperationSize",
    "RateLimit",
    "RateOption",
    "batch_refusal",
    "check_size",
    "chosen_operation",
    "defaults_layer",
    "layered",
    "limits_from_settings",
    "measure",
]
