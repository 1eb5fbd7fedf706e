"""The hot path's statements on one PostgreSQL connection: prepared once each, then run through libpq directly.

A psycopg cursor's ``execute`` + ``fetchone`` costs about as much client CPU as the rest of a cached request:
the query text converted again (and re-parsed every time past psycopg's 4 KB cache), its prepared-statement
bookkeeping, a generator driven by a Python wait loop, the row built and its text decoded, only for the engine
to encode it back to bytes. :class:`ConnectionStatements` keeps what does not change per call on the
connection: the statement texts converted to PostgreSQL's ``$n`` form (once per process), a psycopg
``Transformer`` whose dumpers are built once and the names of the statements prepared on this connection; a
call dumps the parameters, runs ``PQexecPrepared`` (which releases the GIL while it waits) and returns the
value's bytes as the server sent them.

It is the cursor's own work, unbundled: the parameters are dumped by psycopg with the types and formats the
cursor would send, a statement is prepared per (text, parameter types) as psycopg's automatic preparation
does, errors are psycopg's exceptions built from the server's result, so the answers, the statement timeout
(a server setting) and the error mapping are unchanged. Behind a transaction-mode pooler nothing is prepared
(a server connection may change between statements): each statement goes as one unnamed Parse/Bind/Execute.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, cast

import psycopg
from psycopg import abc, pq
from psycopg import errors as pg_errors
from psycopg._queries import PostgresQuery
from psycopg.adapt import PyFormat, Transformer

#: How many statements one connection keeps prepared; past it they are all deallocated and prepared anew
#: (the engine's plans are a bounded set, so this is rare).
MAX_PREPARED = 256
#: How many converted statement texts the process keeps (the plan cache bounds the distinct texts).
MAX_CONVERTED = 4096
#: ``invalid_sql_statement_name``: a statement of ours is gone (``DEALLOCATE``/``DISCARD ALL`` by someone else).
_NO_SUCH_STATEMENT = "26000"

_converted: dict[str, tuple[bytes, list[PyFormat]]] = {}
_converted_lock = threading.Lock()


def _convert(sql: str, params: Sequence[Any], transformer: abc.Transformer) -> tuple[bytes, list[PyFormat]]:
    """``sql`` with psycopg's placeholders as ``$n`` (its own conversion), and the formats they ask for."""
    query = PostgresQuery(transformer)
    query.convert(sql, params)
    formats = list(query._want_formats or [])  # what the cursor dumps each call's parameters with
    with _converted_lock:
        if len(_converted) >= MAX_CONVERTED:
            _converted.clear()
        _converted[sql] = (query.query, formats)
    return query.query, formats


class ConnectionStatements:
    """One psycopg connection's prepared statements for the hot path; used by one thread at a time (the
    pooled connection's holder). ``prepare=False``: unnamed statements (behind a transaction pooler)."""

    def __init__(self, connection: psycopg.Connection[Any], prepare: bool = True) -> None:
        self.connection = connection
        self.pgconn = connection.pgconn
        self.transformer: abc.Transformer = Transformer(connection)
        self.encoding = connection.info.encoding
        #: The server's bytes are the answer's own when the client encoding is UTF-8 (the usual case).
        self.utf8 = self.encoding == "utf-8"
        self.prepare = prepare
        self._names: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        self._serial = 0

    def fetch_value(self, sql: str, params: Sequence[Any]) -> tuple[bool, bytes | None]:
        """Run ``sql`` (one column) on the idle connection: (whether it returned a row, the first row's value
        as UTF-8 bytes, None for NULL). Raises psycopg's errors, as a cursor would."""
        converted = _converted.get(sql)
        transformer = self.transformer
        if converted is None:
            converted = _convert(sql, params, transformer)
        query, formats = converted
        # NULLs are None, which libpq takes as such (psycopg's own signature leaves them out).
        values = cast("list[abc.Buffer]", transformer.dump_sequence(params, formats))
        types = transformer.types or ()
        param_formats = transformer.formats
        if self.prepare:
            key = (query, types)
            name = self._names.get(key)
            if name is None:
                name = self._prepare(key)
            result = self.pgconn.exec_prepared(name, values, param_formats)
            if result.status == pq.ExecStatus.FATAL_ERROR and _state(result) == _NO_SUCH_STATEMENT:
                self._names.clear()  # someone deallocated ours: prepare again, once
                result = self.pgconn.exec_prepared(self._prepare(key), values, param_formats)
        else:
            result = self.pgconn.exec_params(query, values, types, param_formats)
        if result.status != pq.ExecStatus.TUPLES_OK:
            raise self._error(result)
        if result.ntuples == 0:
            return False, None
        value = result.get_value(0, 0)
        if value is None or self.utf8:
            return True, value
        return True, value.decode(self.encoding).encode()

    def _prepare(self, key: tuple[bytes, tuple[int, ...]]) -> bytes:
        if len(self._names) >= MAX_PREPARED:
            self.deallocate()
        self._serial += 1
        name = b"_qapress_%d" % self._serial
        result = self.pgconn.prepare(name, key[0], key[1])
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise self._error(result)
        self._names[key] = name
        return name

    def deallocate(self) -> None:
        """Drop this connection's statements of ours (only ours: psycopg's own prepared ones stay)."""
        names, self._names = list(self._names.values()), {}
        for name in names:
            result = self.pgconn.exec_(b"DEALLOCATE " + name)
            if result.status != pq.ExecStatus.COMMAND_OK:
                raise self._error(result)

    def _error(self, result: pq.abc.PGresult) -> psycopg.Error:
        """psycopg's exception for a failed result; a lost connection is an ``OperationalError``, as the
        cursor raises it."""
        if self.pgconn.status == pq.ConnStatus.BAD:
            message = self.pgconn.get_error_message(self.encoding)
            return psycopg.OperationalError(f"executing query failed: {message}")
        return pg_errors.error_from_result(result, encoding=self.encoding)

    @property
    def prepared(self) -> int:
        """How many statements of ours are prepared on the connection."""
        return len(self._names)


def _state(result: pq.abc.PGresult) -> str:
    state = result.error_field(pq.DiagnosticField.SQLSTATE)
    return state.decode("ascii", "replace") if state else ""
