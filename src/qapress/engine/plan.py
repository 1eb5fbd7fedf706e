"""Compiled plans: SQL text plus the recipe that turns a request's variables into bound parameters.

A plan is what makes a repeated query cheap: no parsing, validation or compilation, only binding and one
database round trip. :class:`PlanCache` keeps the most recently used plans, keyed by query text, operation
name, role and the values of the variables that shaped the SQL (``@include(if: $x)``, a whole ``where: $w``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from qapress.engine.errors import SessionVariableMissing, ValidationFailed

if TYPE_CHECKING:
    from qapress.engine.flat import FlatQuery
    from qapress.engine.reads import Reads

CONST, VARIABLE, SESSION, SESSION_ALL = 0, 1, 2, 3

Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class Param:
    """Where one bound parameter's value comes from: a constant, a request variable or a session variable."""

    source: int
    value: Any
    convert: Converter | None = None

    def resolve(self, variables: Mapping[str, Any], session: Mapping[str, str]) -> Any:
        # A request variable first: the common case, since a permission's constants are literals.
        if self.source == VARIABLE:
            raw = variables.get(self.value)
        elif self.source == CONST:
            return self.value
        elif self.source == SESSION_ALL:
            return orjson.dumps(dict(session)).decode()
        else:
            if self.value not in session:
                raise SessionVariableMissing(self.value)
            raw = session[self.value]
        return raw if self.convert is None else self.convert(raw)


@dataclass(frozen=True)
class VariableCheck:
    """How to check and default one declared variable on the hot path (no graphql-core call)."""

    name: str
    check: Callable[[Any], bool]
    has_default: bool
    default: Any


@dataclass(frozen=True)
class Plan:
    sql: str
    params: tuple[Param, ...]
    variables: tuple[VariableCheck, ...] = ()
    #: Names of declared variables; others in a request are an error, as in Hasura.
    declared: frozenset[str] = frozenset()
    #: A response computed without the database (e.g. only ``__typename``), as JSON text.
    constant: str | None = None
    #: The estimated cost (answer bytes) of running the plan, checked against the role's budget (see
    #: :mod:`.cost`); kept here so that a cache hit pays one comparison for it.
    cost: int = 0
    #: The generation of table sizes the cost was estimated with; a plan of an older one is estimated again.
    rows_generation: int = 0
    #: For a large answer of a flat shape, the statement of its rows and their assembler (:mod:`.flat`).
    flat: FlatQuery | None = None
    #: What the answer reads (tables, keys, where the keys show): a shared cache's tags are named from it.
    reads: Reads | None = None

    def bind(self, variables: Mapping[str, Any], session: Mapping[str, str]) -> list[Any]:
        bound = []
        for param in self.params:
            if param.source == VARIABLE:  # inlined: the common case, once per parameter per request
                convert = param.convert
                raw = variables.get(param.value)
                bound.append(raw if convert is None else convert(raw))
            else:
                bound.append(param.resolve(variables, session))
        return bound

    def check_variables(self, variables: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The variables with defaults filled in, or None when one fails the fast check (slow path)."""
        if not self.declared.issuperset(variables):  # no set built per request when all are declared
            extra = ", ".join(sorted(variables.keys() - self.declared))
            raise ValidationFailed(f"unexpected variables in variableValues: {extra}")
        filled: dict[str, Any] | None = None
        for check in self.variables:
            if check.name in variables:
                if not check.check(variables[check.name]):
                    return None
            elif check.has_default:
                if filled is None:
                    filled = dict(variables)
                filled[check.name] = check.default
            elif not check.check(None):
                return None
        return variables if filled is None else filled


@dataclass
class PlanFamily:
    """The plans of one (query, operation, role): one per combination of shaping variables' values."""

    shaping: tuple[str, ...]
    plans: dict[str, Plan] = field(default_factory=dict)


class PlanCache:
    """A thread-safe LRU of plan families, bounded by the number of (query, operation, role) keys.

    ``epoch`` counts the clearings (a metadata, schema or permission change): whatever was derived from a
    plan of an older epoch (the HTTP edge's memo of request bodies) is no longer to be used.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._families: OrderedDict[tuple[str, str | None, str], PlanFamily] = OrderedDict()
        self._lock = threading.Lock()
        self.epoch = 0

    def family(self, key: tuple[str, str | None, str]) -> PlanFamily | None:
        with self._lock:
            family = self._families.get(key)
            if family is not None:
                self._families.move_to_end(key)
            return family

    def store(
        self, key: tuple[str, str | None, str], shaping: tuple[str, ...], shape: str, plan: Plan
    ) -> None:
        with self._lock:
            family = self._families.get(key)
            if family is None or family.shaping != shaping:
                family = PlanFamily(shaping)
                self._families[key] = family
            if len(family.plans) >= 64:
                family.plans.clear()
            family.plans[shape] = plan
            self._families.move_to_end(key)
            while len(self._families) > self.size:
                self._families.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self.epoch += 1
            self._families.clear()

    def __len__(self) -> int:
        return len(self._families)
