"""GraphQLEngine: requests in, Hasura-shaped responses out, with compiled plans cached per query and role.

The hot path for a query seen before is: look the plan up, check the variables' types, bind parameters,
run one statement, wrap the database's JSON text in ``{"data": ...}``. Everything else (parsing, validation,
compiling, introspection) happens only on the first request of a query shape.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    default_field_resolver,
    execute,
    get_operation_ast,
    parse,
    print_ast,
    type_from_ast,
    validate,
    value_from_ast,
)
from graphql.error import GraphQLSyntaxError
from graphql.execution.values import get_variable_values
from sqlalchemy.engine import Engine

from qapress.engine.catalog import read_catalog, read_table_rows
from qapress.engine.compile import CompiledOperation, CompileOptions, OperationCompiler
from qapress.engine.compile_mutation import InsertHook, UpdateHook, ValueCheck, ValueChecks, run_mutation
from qapress.engine.computed import resolve_computed_field
from qapress.engine.conditions import without_unreadable_permissions
from qapress.engine.connections import RowsUnrepresentable, ThreadConnections
from qapress.engine.cost import CostBudgets, CostEstimator, CostExceeded, CostModel
from qapress.engine.dialects import SUBTYPE_KEPT, SUBTYPE_PROBE, SQLiteDialect, dialect_for
from qapress.engine.driver_errors import DRIVER_ERRORS, map_driver_error
from qapress.engine.enums import read_enum_values
from qapress.engine.errors import (
    AnswerTooLarge,
    BadRequest,
    EngineError,
    MutationNotAllowed,
    NotSupported,
    ValidationFailed,
    error_response,
)
from qapress.engine.flat import FlatQuery, flat_query
from qapress.engine.functions import resolve_function
from qapress.engine.limits import ApiLimits, check_size, layered, limits_from_settings
from qapress.engine.metadata import Metadata
from qapress.engine.model import Model, build_model
from qapress.engine.permissions import ADMIN, ANONYMOUS
from qapress.engine.plan import Plan, PlanCache, VariableCheck
from qapress.engine.ratelimit import InProcessRateLimiter, RateLimiter, rate_limiter_from_settings
from qapress.engine.reads import answer_reads
from qapress.engine.schema import RoleSchema, build_role_schema
from qapress.engine.selection import QueryPlan
from qapress.engine.validation import VALIDATION_RULES, hasura_error, hasura_message, variable_path
from qapress.observe.metrics import DATABASE_SECONDS, PLAN_CACHE_HIT, PLAN_CACHE_MISS, TALLY
from qapress.settings import Settings
from qapress.store.replicas import ReplicaSet

log = logging.getLogger(__name__)

INTROSPECTION_FIELDS = ("__schema", "__type")
#: Parsing stops beyond this many tokens: a bound on the work one request can ask for (GraphiQL's
#: introspection query has about 1,500).
MAX_TOKENS = 20_000
_ABSENT = object()
#: Table sizes for the cost estimate are counted up to this many rows (beyond, the database's estimate) and
#: re-read when older than the TTL.
TABLE_ROWS_BOUND = 100_000
TABLE_ROWS_TTL_S = 60.0
_DATA_WRAPPING = b'{"data":}'
_UNEXPECTED = orjson.dumps(error_response([EngineError("unexpected error while answering the request")]))


@dataclass
class Prepared:
    """One request made ready to run: its plan and inputs with its estimated cost, or its answer already
    (an error), or deferred (a mutation or introspection, which runs only when its turn comes)."""

    cost: int = 0
    plan: Plan | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    session: Mapping[str, str] = field(default_factory=dict)
    answer: bytes | None = None
    #: A read anyone may see a moment late (an anonymous query): it may run on a read replica.
    replica: bool = False
    deferred: tuple[str, dict[str, Any], str | None, str, dict[str, str]] | None = None
    #: Refused because it is a mutation and the request could only read (a GET): the HTTP edge answers 405.
    mutation: bool = False


def _sizes_moved(old: Mapping[tuple[str, str], int], new: Mapping[tuple[str, str], int]) -> bool:
    """Whether any table's size changed enough (twice or half as many rows) to estimate plans again."""
    if old.keys() != new.keys():
        return True
    return any(not (old[k] // 2 <= new[k] <= old[k] * 2 + 10) for k in old)


class EngineStats:
    """Counters the tests and the benchmark read: how often the slow path ran."""

    def __init__(self) -> None:
        self.parses = 0
        self.validations = 0
        self.compiles = 0
        self.plan_hits = 0


class GraphQLEngine:
    """Hasura's GraphQL query language over a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(
        self,
        engine: Engine,
        metadata: Metadata,
        *,
        stringify_numeric_types: bool = False,
        max_depth: int = 12,
        anonymous_row_limit: int | None = 100,
        plan_cache_size: int = 512,
        statement_timeout_ms: int = 5000,
        insert_hooks: Mapping[str, InsertHook] | None = None,
        budgets: CostBudgets | None = None,
        cost_model: CostModel | None = None,
        max_answer_bytes: int | None = 32_000_000,
        max_batch_bytes: int | None = 64_000_000,
        value_checks: ValueChecks | None = None,
        infer_function_permissions: bool = True,
        update_hooks: Mapping[str, UpdateHook] | None = None,
        api_limits: ApiLimits | None = None,
        rate_limiter: RateLimiter | None = None,
        replicas: ReplicaSet | None = None,
        flat_min_cost: int = 32_000,
    ) -> None:
        self.engine = engine
        #: Plans estimated at this many answer bytes or more get a flat statement too (:mod:`.flat`).
        self.flat_min_cost = flat_min_cost
        self.metadata = metadata
        self.infer_function_permissions = infer_function_permissions
        self.stringify_numeric_types = stringify_numeric_types
        self.max_depth = max_depth
        self.anonymous_row_limit = anonymous_row_limit
        self.statement_timeout_ms = statement_timeout_ms
        self.dialect = dialect_for(engine.dialect.name)
        if isinstance(self.dialect, SQLiteDialect):
            with engine.connect() as connection:
                probe = connection.exec_driver_sql(SUBTYPE_PROBE).scalar()
            self.dialect.subquery_keeps_json = probe == SUBTYPE_KEPT
        self.plans = PlanCache(plan_cache_size)
        self.connections = ThreadConnections(engine, statement_timeout_ms, replicas)
        self.stats = EngineStats()
        #: Per table name: called with each row before it is inserted (the link rules use it).
        self.insert_hooks: dict[str, InsertHook] = dict(insert_hooks or {})
        #: Per table name: called after its rows are updated (edits of articles are re-grounded by one).
        self.update_hooks: dict[str, UpdateHook] = dict(update_hooks or {})
        #: Per table and column: rules on written values (the site's host rule uses it).
        self.value_checks: dict[str, Mapping[str, ValueCheck]] = dict(value_checks or {})
        self._schemas: dict[str, RoleSchema | None] = {}
        self._lock = threading.Lock()
        #: What each role may spend per request, how costs are guessed, and the caps on answers' bytes.
        self.budgets = budgets or CostBudgets()
        self.cost_model = cost_model or CostModel()
        self.max_answer_bytes = max_answer_bytes
        self.max_batch_bytes = max_batch_bytes
        #: The API limits below the metadata's (qapress's defaults and the settings'), and all of them.
        self.limit_defaults = api_limits or ApiLimits()
        self.api_limits = self._api_limits(metadata)
        #: Where the rate limits are counted (the HTTP edge asks it; in process unless Redis is configured).
        self.rate_limiter: RateLimiter = rate_limiter or InProcessRateLimiter()
        self.model: Model = self._read_model()
        self._rows_lock = threading.Lock()
        self._rows_generation = 0
        self.table_rows = self._read_table_rows()
        self._rows_read_at = time.monotonic()

    @classmethod
    def from_settings(
        cls,
        engine: Engine,
        metadata: Metadata,
        settings: Settings,
        insert_hooks: Mapping[str, InsertHook] | None = None,
        value_checks: ValueChecks | None = None,
        update_hooks: Mapping[str, UpdateHook] | None = None,
        replicas: ReplicaSet | None = None,
    ) -> GraphQLEngine:
        """An engine with the limits and options of qapress's settings (``QAPRESS_*``)."""
        return cls(
            engine,
            metadata,
            stringify_numeric_types=settings.stringify_numeric_types,
            max_depth=settings.max_query_depth,
            anonymous_row_limit=settings.anonymous_row_limit,
            plan_cache_size=settings.plan_cache_size,
            statement_timeout_ms=settings.statement_timeout_ms,
            insert_hooks=insert_hooks,
            budgets=CostBudgets(
                anonymous=settings.max_cost_anonymous,
                admin=settings.max_cost_admin,
                default=settings.max_cost,
                roles=dict(settings.max_cost_roles),
            ),
            cost_model=CostModel(settings.cost_default_rows, settings.cost_text_bytes),
            max_answer_bytes=settings.max_answer_bytes,
            max_batch_bytes=settings.max_batch_bytes,
            value_checks=value_checks,
            infer_function_permissions=settings.infer_function_permissions,
            update_hooks=update_hooks,
            api_limits=limits_from_settings(settings),
            rate_limiter=rate_limiter_from_settings(settings),
            replicas=replicas,
        )

    # --- lifecycle --------------------------------------------------------------------------------
    def _read_model(self) -> Model:
        catalog = read_catalog(self.engine, [t.table.key for t in self.metadata.tables])
        computed = {
            t.table.key: {
                c.name: resolve_computed_field(self.engine, t.table.name, c) for c in t.computed_fields
            }
            for t in self.metadata.tables
            if t.computed_fields
        }
        functions = {f.name: f for f in (resolve_function(self.engine, d) for d in self.metadata.functions)}
        enums, enum_problems = read_enum_values(
            self.engine, catalog, [t.table.key for t in self.metadata.tables if t.is_enum]
        )
        model = build_model(catalog, self.metadata, computed, functions, enums, enum_problems)
        model = without_unreadable_permissions(model)
        return replace(model, infer_function_permissions=self.infer_function_permissions)

    def reload(self, metadata: Metadata | None = None) -> None:
        """Re-read the database catalog (after DDL), optionally with new metadata; drops schemas and plans."""
        if metadata is not None:
            self.metadata = metadata
            self.api_limits = self._api_limits(metadata)
        model = self._read_model()
        rows = self._read_table_rows()
        with self._lock:
            self.model = model
            self._schemas = {}
            self.plans.clear()
        with self._rows_lock:
            self.table_rows = rows
            self._rows_generation += 1
            self._rows_read_at = time.monotonic()
        self.connections.close_all()

    def close(self) -> None:
        self.connections.close_all()

    def _api_limits(self, metadata: Metadata) -> ApiLimits:
        return layered([ApiLimits.from_hasura(metadata.api_limits, "api_limits"), self.limit_defaults])

    def role_schema(self, role: str, backend_only: bool = False) -> RoleSchema | None:
        """The role's schema, built on first use and cached until ``reload()``; ``backend_only`` adds the
        backend-only insert permissions (a trusted caller asked for them)."""
        key = f"{role}\x00backend" if backend_only else role
        schemas = self._schemas
        if key in schemas:
            return schemas[key]
        with self._lock:
            if key not in self._schemas:
                self._schemas[key] = build_role_schema(self.model, role, backend_only)
            return self._schemas[key]

    # --- requests ---------------------------------------------------------------------------------
    def execute(
        self,
        query: Any,
        variables: Any = None,
        operation_name: Any = None,
        role: str = ADMIN,
        session: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The response as a dict: ``{"data": ...}`` or ``{"errors": [...]}``; never raises for bad input."""
        result: dict[str, Any] = orjson.loads(
            self.execute_bytes(query, variables, operation_name, role, session)
        )
        return result

    def execute_bytes(
        self,
        query: Any,
        variables: Any = None,
        operation_name: Any = None,
        role: str = ADMIN,
        session: Mapping[str, str] | None = None,
    ) -> bytes:
        """The response as JSON bytes; the data part is the database's own JSON text, not re-encoded.

        A query whose estimated cost is over the role's budget is refused before it runs."""
        prepared = self.prepare(query, variables, operation_name, role, session, run_now=True)
        refusal = self.over_budget(role, prepared.cost)
        if refusal is not None:
            return refusal
        return self.run(prepared)

    def prepare(
        self,
        query: Any,
        variables: Any = None,
        operation_name: Any = None,
        role: str = ADMIN,
        session: Mapping[str, str] | None = None,
        run_now: bool = False,
        read_only: bool = False,
    ) -> Prepared:
        """The request made ready to run, with its estimated cost: no query reads the tables yet, and
        mutations and introspection are only recognised, to run in :meth:`run` (or here, with ``run_now``:
        nothing else runs before them). ``read_only``: a mutation is refused (``Prepared.mutation``).
        Never raises."""
        try:
            return self._prepare(query, variables, operation_name, role, session, run_now, read_only)
        except MutationNotAllowed as exc:
            return Prepared(answer=orjson.dumps(error_response([exc])), mutation=True)
        except EngineError as exc:
            return Prepared(answer=orjson.dumps(error_response([exc])))
        except Exception:
            log.exception("unexpected error answering a GraphQL request")
            return Prepared(answer=_UNEXPECTED)

    def prepare_cached(
        self,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        role: str,
        session: Mapping[str, str],
        count: bool = True,
    ) -> Prepared | None:
        """``prepare`` for a plan-cache hit only, safe on the event loop: None for anything else (a miss, an
        estimate due to be refreshed, variables the fast check cannot vouch for, an error), which the caller
        then sends the usual way. Never reads the database, never raises. ``count=False``: the hit is left
        for the caller to count (``count_plan_hit``) once it knows the request runs."""
        if time.monotonic() - self._rows_read_at > TABLE_ROWS_TTL_S:
            return None  # the table sizes are re-read first: a read, not for the loop
        family = self.plans.family((query, operation_name, role))
        if family is None:
            return None
        if variables is None:
            variables = {}
        try:
            plan = family.plans.get(_shape_key(family.shaping, variables))
            if plan is None or plan.rows_generation != self._rows_generation:
                return None
            checked = plan.check_variables(variables)
        except Exception:  # the usual way answers the error in Hasura's shape
            return None
        if checked is None:
            return None
        if count:
            self.count_plan_hit()
        session_vars = {k.lower(): v for k, v in session.items()}
        return Prepared(plan.cost, plan, checked, session_vars, replica=role == ANONYMOUS)

    def still_current(self, prepared: Prepared, epoch: int) -> bool:
        """Whether a ``prepare_cached`` hit made at plan-cache ``epoch`` may be run again as it is: no
        metadata, schema or permission change since (the epoch), its cost estimated with the current table
        sizes, and none of them due to be re-read (``prepare_cached``'s own conditions). Cheap: no lookup."""
        plan = prepared.plan
        return (
            epoch == self.plans.epoch
            and plan is not None
            and plan.rows_generation == self._rows_generation
            and time.monotonic() - self._rows_read_at <= TABLE_ROWS_TTL_S
        )

    def count_plan_hit(self) -> None:
        self.stats.plan_hits += 1
        TALLY.inc(PLAN_CACHE_HIT)

    def over_budget(self, role: str, cost: int, batch: bool = False) -> bytes | None:
        """The refusal for a request (or a whole batch) of ``cost`` over the role's budget, else None."""
        budget = self.budgets.budget(role)
        if budget is None or cost <= budget:
            return None
        return orjson.dumps(error_response([CostExceeded(cost, budget, role, batch)]))

    def run(self, prepared: Prepared, batch_bytes_left: int | None = None) -> bytes:
        """The prepared request's answer, stopped with an error once it would pass the answer cap (or the
        ``batch_bytes_left`` of its batch, when smaller). Never raises."""
        if prepared.answer is not None:
            return prepared.answer
        cap, batch = self.max_answer_bytes, False
        if batch_bytes_left is not None and (cap is None or batch_bytes_left < cap):
            cap, batch = batch_bytes_left, True
        try:
            if prepared.deferred is not None:
                done = self._slow_path(*prepared.deferred, run_now=True)
                if done.answer is not None:
                    return done.answer
                prepared = done
            assert prepared.plan is not None
            return self._run(prepared.plan, prepared.variables, prepared.session, cap, prepared.replica)
        except AnswerTooLarge:
            configured = self.max_batch_bytes if batch else self.max_answer_bytes
            return orjson.dumps(error_response([AnswerTooLarge(configured or cap or 0, batch)]))
        except EngineError as exc:
            return orjson.dumps(error_response([exc]))
        except DRIVER_ERRORS as exc:  # from the slow path's own reads (catalog, functions)
            return orjson.dumps(error_response([map_driver_error(exc, self.statement_timeout_ms)]))
        except Exception:
            log.exception("unexpected error answering a GraphQL request")
            return _UNEXPECTED

    def _prepare(
        self,
        query: Any,
        variables: Any,
        operation_name: Any,
        role: str,
        session: Mapping[str, str] | None,
        run_now: bool,
        read_only: bool = False,
    ) -> Prepared:
        if not isinstance(query, str):
            raise ValidationFailed("the request has no query string", "$.query", code="bad-request")
        if variables is None:
            variables = {}
        if not isinstance(variables, dict):
            raise ValidationFailed("variables must be an object", "$.variables", code="bad-request")
        if operation_name is not None and not isinstance(operation_name, str):
            raise ValidationFailed("operationName must be a string", "$.operationName", code="bad-request")
        session_vars = {k.lower(): v for k, v in session.items()} if session else {}
        generation = self._table_rows_generation()
        key = (query, operation_name, role)
        family = self.plans.family(key)
        if family is not None:
            shape = _shape_key(family.shaping, variables)
            plan = family.plans.get(shape)
            if plan is not None and plan.rows_generation == generation:
                checked = plan.check_variables(variables)
                if checked is not None:
                    self.stats.plan_hits += 1
                    TALLY.inc(PLAN_CACHE_HIT)
                    return Prepared(plan.cost, plan, checked, session_vars, replica=role == ANONYMOUS)
        TALLY.inc(PLAN_CACHE_MISS)
        return self._slow_path(query, variables, operation_name, role, session_vars, run_now, read_only)

    def _table_rows_generation(self) -> int:
        """The generation of the table sizes the estimates use, re-read once they are older than the TTL;
        it moves (and cached plans are estimated again) only when a table's size changed markedly."""
        now = time.monotonic()
        if now - self._rows_read_at > TABLE_ROWS_TTL_S:
            with self._rows_lock:
                if now - self._rows_read_at > TABLE_ROWS_TTL_S:
                    self._rows_read_at = now
                    fresh = self._read_table_rows()
                    if _sizes_moved(self.table_rows, fresh):
                        self.table_rows = fresh
                        self._rows_generation += 1
        return self._rows_generation

    def _read_table_rows(self) -> dict[tuple[str, str], int]:
        try:
            return read_table_rows(self.engine, [t.table.key for t in self.metadata.tables], TABLE_ROWS_BOUND)
        except Exception:  # sizes are a refinement of the estimate: without them, the row limits still count
            log.warning("could not count the tracked tables' rows", exc_info=True)
            return {}

    def _run(
        self,
        plan: Plan,
        variables: Mapping[str, Any],
        session: Mapping[str, str],
        cap: int | None = None,
        replica: bool = False,
    ) -> bytes:
        if plan.constant is not None:
            return b'{"data":' + plan.constant.encode() + b"}"
        limit = None if cap is None else cap - len(_DATA_WRAPPING)
        if limit is not None and limit <= 0:
            raise AnswerTooLarge(cap or 0)
        flat = plan.flat
        if flat is None:
            return self._run_json(plan, variables, session, limit, replica)
        rows = flat.choice.rows_next()
        started = time.perf_counter()
        try:  # a run that failed (too large, timed out) counts with its time too
            if not rows:
                return self._run_json(plan, variables, session, limit, replica)
            try:
                fetched = self.connections.fetch_rows(flat.sql, flat.bind(variables, session), limit, replica)
            except RowsUnrepresentable:
                return self._run_json(plan, variables, session, limit, replica)
            TALLY.observe(DATABASE_SECONDS, time.perf_counter() - started)
            try:
                answer = flat.assemble(fetched)
            except (
                orjson.JSONEncodeError
            ):  # a value orjson cannot write (SQLite's BLOB): the database's answer
                return self._run_json(plan, variables, session, limit, replica)
            if cap is not None and len(answer) > cap:
                raise AnswerTooLarge(cap)
            return answer
        finally:
            flat.choice.observe(rows, time.perf_counter() - started)

    def _run_json(
        self,
        plan: Plan,
        variables: Mapping[str, Any],
        session: Mapping[str, str],
        limit: int | None,
        replica: bool,
    ) -> bytes:
        """The plan's answer as the JSON its statement builds in the database."""
        params = plan.bind(variables, session)
        started = time.perf_counter()
        text = self.connections.fetch_text(plan.sql, params, limit, replica)
        TALLY.observe(DATABASE_SECONDS, time.perf_counter() - started)
        return b'{"data":' + (text or b"null") + b"}"

    def _slow_path(
        self,
        query: str,
        variables: dict[str, Any],
        operation_name: str | None,
        role: str,
        session: dict[str, str],
        run_now: bool,
        read_only: bool = False,
    ) -> Prepared:
        """Parse, validate and compile; a query's plan is cached. Mutations and introspection run here when
        ``run_now`` (they answer at once), else come back deferred, to run in their turn in a batch; with
        ``read_only`` a mutation is refused (cached plans are queries only, so a hit never gets here)."""
        original = (query, variables, operation_name, role, session)
        role_schema = self.role_schema(role, backend_only_requested(session))
        self.stats.parses += 1
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLSyntaxError as exc:
            raise ValidationFailed("not a valid graphql query", "$.query") from exc
        except RecursionError as exc:
            raise ValidationFailed("not a valid graphql query", "$.query") from exc
        check_size(self.api_limits, role, document, operation_name)
        asks_mutation = any(
            isinstance(d, OperationDefinitionNode) and d.operation == OperationType.MUTATION
            for d in document.definitions
        )
        if read_only and asks_mutation:
            chosen = get_operation_ast(document, operation_name)
            if chosen is not None and chosen.operation == OperationType.MUTATION:
                raise MutationNotAllowed("mutations are not allowed over GET; send them by POST")
        if asks_mutation and (role_schema is None or role_schema.schema.mutation_type is None):
            raise ValidationFailed("no mutations exist", "$")
        if role_schema is None:
            raise ValidationFailed(_no_schema_message(document), "$.selectionSet")
        self.stats.validations += 1
        errors = validate(role_schema.schema, document, VALIDATION_RULES)
        if errors:
            raise hasura_error(errors[0], document, role_schema.schema)
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            if operation_name:
                raise ValidationFailed(f'no such operation found in the document: "{operation_name}"')
            raise ValidationFailed(
                "exactly one operation has to be present in the document when operationName is not specified"
            )
        if operation.operation == OperationType.SUBSCRIPTION:
            raise NotSupported("subscriptions are not supported over HTTP; use a query")
        is_mutation = operation.operation == OperationType.MUTATION
        definitions = operation.variable_definitions or ()
        # Hasura lets an explicit null stand for "use the default" on a non-null variable with one.
        defaulted = {
            d.variable.name.value
            for d in definitions
            if d.default_value is not None
            and isinstance(d.type, NonNullTypeNode)
            and variables.get(d.variable.name.value, _ABSENT) is None
        }
        if defaulted:
            variables = {k: v for k, v in variables.items() if k not in defaulted}
        for definition in definitions:
            name = definition.variable.name.value
            if isinstance(definition.type, NonNullTypeNode) and name in variables and variables[name] is None:
                # Hasura reports an explicit null where the variable is used, naming the type it needs.
                base = print_ast(definition.type.type).strip("[]!")
                raise ValidationFailed(
                    f'unexpected null value for type "{base}"', variable_path(document, name)
                )
        coerced = get_variable_values(role_schema.schema, definitions, variables)
        if isinstance(coerced, list):
            message, _path = hasura_message(coerced[0])
            raise ValidationFailed(message, "$.variableValues")
        declared = {d.variable.name.value for d in operation.variable_definitions or ()}
        extra = sorted(set(variables) - declared)
        if extra:
            raise ValidationFailed(f"unexpected variables in variableValues: {', '.join(extra)}")
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        options = CompileOptions(
            stringify_numeric_types=self.stringify_numeric_types,
            max_depth=self.max_depth,
            row_cap=self.anonymous_row_limit if role == ANONYMOUS else None,
        )
        compiler = OperationCompiler(self.model, role_schema, self.dialect, fragments, coerced, options)
        if is_mutation:
            cost = self._estimate(compiler, operation, mutation=True)
            if not run_now:
                return Prepared(cost=cost, deferred=original)
            self._check_budget(role, cost)
            data = run_mutation(
                self.engine,
                self.model,
                role_schema,
                self.dialect,
                fragments,
                coerced,
                session,
                options,
                operation,
                self.insert_hooks,
                self.statement_timeout_ms,
                self.value_checks,
                self.update_hooks,
            )
            return Prepared(answer=b'{"data":' + data.encode() + b"}")
        if _has_introspection(operation, fragments):
            compiled = compiler.compile(operation, skip=INTROSPECTION_FIELDS)
            cost = self._estimate(compiler, operation, skip=INTROSPECTION_FIELDS)
            if not run_now:
                return Prepared(cost=cost, deferred=original)
            self._check_budget(role, cost)
            answer = self._with_introspection(compiled, role_schema, document, operation, coerced, session)
            return Prepared(answer=answer)
        self.stats.compiles += 1
        generation = self._rows_generation
        selection = compiler.plan(operation)
        compiled = compiler.render(selection)
        cost = CostEstimator(compiler, self.table_rows, self.cost_model).query(selection)
        plan = Plan(
            sql=compiled.sql,
            params=compiled.params,
            variables=_variable_checks(role_schema, operation),
            declared=frozenset(declared),
            cost=cost,
            rows_generation=generation,
            flat=self._flat(compiler, selection) if cost >= self.flat_min_cost else None,
            reads=answer_reads(selection),
        )
        shaping = tuple(sorted(compiled.shaping))
        self.plans.store((query, operation_name, role), shaping, _shape_key(shaping, variables), plan)
        return Prepared(cost, plan, coerced, session, replica=role == ANONYMOUS)

    def _flat(self, compiler: OperationCompiler, selection: QueryPlan) -> FlatQuery | None:
        """The plan's flat statement and assembler when its shape has one (:mod:`.flat`)."""
        built = flat_query(selection, compiler.renderer, self.dialect, self.stringify_numeric_types)
        if built is None:
            return None
        sql, assemble = built
        text, params = compiler.params.finish(sql)
        return FlatQuery(text, params, assemble)

    def _estimate(
        self,
        compiler: OperationCompiler,
        operation: OperationDefinitionNode,
        skip: tuple[str, ...] = (),
        mutation: bool = False,
    ) -> int:
        """The operation's estimated cost; 0 when the estimate cannot read it (the runner then reports the
        error in its own words, as Hasura words it)."""
        estimator = CostEstimator(compiler, self.table_rows, self.cost_model)
        try:
            return estimator.mutation(operation) if mutation else estimator.operation(operation, skip)
        except EngineError:
            return 0

    def _check_budget(self, role: str, cost: int) -> None:
        budget = self.budgets.budget(role)
        if budget is not None and cost > budget:
            raise CostExceeded(cost, budget, role)

    def _with_introspection(
        self,
        compiled: CompiledOperation,
        role_schema: RoleSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
        session: dict[str, str],
    ) -> bytes:
        """Introspection fields answered by graphql-core, any table fields beside them by SQL (not cached)."""
        plan = Plan(compiled.sql, compiled.params)
        data = orjson.loads(self._run(plan, variables, session, self.max_answer_bytes))["data"]
        result = execute(  # synchronous: no resolver here returns an awaitable
            role_schema.schema,
            document,
            root_value=data,
            variable_values=variables,
            operation_name=operation.name.value if operation.name else None,
            field_resolver=_stitched_resolver,
        )
        assert isinstance(result, ExecutionResult)
        if result.errors:
            message, path = hasura_message(result.errors[0])
            raise ValidationFailed(message, path)
        return orjson.dumps({"data": result.data})


def _stitched_resolver(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    if isinstance(source, dict):
        return source.get(info.path.key)
    return default_field_resolver(source, info, **args)


def _has_introspection(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> bool:
    pending = [operation.selection_set]
    seen: set[str] = set()
    while pending:
        selection_set = pending.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value in INTROSPECTION_FIELDS:
                    return True
            elif hasattr(selection, "selection_set") and selection.selection_set is not None:
                pending.append(selection.selection_set)
            else:
                name = selection.name.value  # type: ignore[attr-defined]
                if name in fragments and name not in seen:
                    seen.add(name)
                    pending.append(fragments[name].selection_set)
    return False


def _no_schema_message(document: DocumentNode) -> str:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode):
                    return f"field \"{selection.name.value}\" not found in type: 'query_root'"
    return "no queries are available for this role"


#: The shape key's letters for a shaping variable that is true, false or absent (see :func:`_shape_key`).
_SHAPE_LETTERS = {True: "t", False: "f"}


def _shape_key(shaping: tuple[str, ...], variables: Mapping[str, Any]) -> str:
    """The key of the plan for these values of the shaping variables. Booleans (``@include(if: $x)``, the
    usual case) and absent ones are spelt as letters, without encoding anything; any other value makes the
    key its JSON, which starts with ``[`` and so never meets a key of letters."""
    if not shaping:
        return ""
    letters = []
    for name in shaping:
        value = variables.get(name, _ABSENT)
        if value is True or value is False:
            letters.append(_SHAPE_LETTERS[value])
        elif value is _ABSENT:
            letters.append("-")
        else:
            return _json_shape_key(shaping, variables)
    return "".join(letters)


def _json_shape_key(shaping: tuple[str, ...], variables: Mapping[str, Any]) -> str:
    values = [[name in variables, variables.get(name)] for name in shaping]
    try:
        return orjson.dumps(values).decode()
    except TypeError:
        return repr(values)


def _variable_checks(
    role_schema: RoleSchema, operation: OperationDefinitionNode
) -> tuple[VariableCheck, ...]:
    checks = []
    for definition in operation.variable_definitions or ():
        type_ = type_from_ast(role_schema.schema, definition.type)
        assert type_ is not None
        default: Any = None
        has_default = definition.default_value is not None
        if has_default:
            default = value_from_ast(definition.default_value, type_)  # type: ignore[arg-type]
            if default is Undefined:
                has_default = False
        checks.append(
            VariableCheck(definition.variable.name.value, _type_check(type_), has_default, default)  # type: ignore[arg-type]
        )
    return tuple(checks)


def _type_check(type_: GraphQLInputType) -> Callable[[Any], bool]:
    """A fast check of a variable's JSON value; anything unusual fails it and takes the slow path."""
    non_null = isinstance(type_, GraphQLNonNull)
    base = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    inner: Callable[[Any], bool]
    if base is GraphQLInt:

        def inner(v: Any) -> bool:
            return type(v) is int and -(2**31) <= v < 2**31

    elif base is GraphQLString:

        def inner(v: Any) -> bool:
            return type(v) is str

    elif base is GraphQLBoolean:

        def inner(v: Any) -> bool:
            return type(v) is bool

    elif base is GraphQLFloat:

        def inner(v: Any) -> bool:
            return type(v) in (int, float)

    elif isinstance(base, GraphQLScalarType):
        parse_value = base.parse_value

        def inner(v: Any) -> bool:
            try:
                parse_value(v)
            except Exception:
                return False
            return True

    elif isinstance(base, GraphQLList):
        item = _type_check(base.of_type)

        def inner(v: Any) -> bool:
            return isinstance(v, list) and all(item(x) for x in v)

    else:
        # Input objects and enums shape the SQL: the plan was compiled for exactly this value.
        def inner(v: Any) -> bool:
            return True

    if non_null and base is GraphQLInt:  # the usual variables of a page query, checked in one call

        def int_check(value: Any) -> bool:
            return type(value) is int and -(2**31) <= value < 2**31

        return int_check
    if non_null and base in (GraphQLString, GraphQLBoolean):
        expected = str if base is GraphQLString else bool

        def typed_check(value: Any) -> bool:
            return type(value) is expected

        return typed_check

    def check(value: Any) -> bool:
        if value is None:
            return not non_null
        return inner(value)

    return check


__all__ = ["EngineStats", "GraphQLEngine", "Prepared"]


BACKEND_ONLY_HEADER = "x-hasura-use-backend-only-permissions"
_TRUE = ("true", "t", "yes", "y")
_FALSE = ("false", "f", "no", "n")


def backend_only_requested(session: Mapping[str, str]) -> bool:
    """Whether the request asks for backend-only permissions; a value that is no boolean is Hasura's error."""
    value = session.get(BACKEND_ONLY_HEADER)
    if value is None or value.lower() in _FALSE:
        return False
    if value.lower() in _TRUE:
        return True
    raise BadRequest(
        f"{BACKEND_ONLY_HEADER}:  Not a valid boolean text. True values are "
        '["true","t","yes","y"] and  False values are ["false","f","no","n"]. All values are case insensitive'
    )
