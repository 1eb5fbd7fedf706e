"""The engine's exceptions, each carrying the Hasura error code and JSON path it is reported with.

Everything a caller can get wrong ends as one of these and, at the edge, as Hasura's error shape
``{"errors": [{"message", "extensions": {"path", "code"}}]}``; nothing else leaves the engine.
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """A request the engine refuses or cannot answer; ``code`` and ``path`` follow Hasura."""

    code = "unexpected"

    def __init__(self, message: str, path: str = "$", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        if code is not None:
            self.code = code

    def to_json(self) -> dict[str, Any]:
        return {"message": self.message, "extensions": {"path": self.path, "code": self.code}}


class MetadataError(EngineError):
    """The metadata names a table, column or relationship the database does not have."""

    code = "invalid-configuration"


class ParseFailed(EngineError):
    code = "parse-failed"


class ValidationFailed(EngineError):
    code = "validation-failed"


class NotSupported(EngineError):
    code = "not-supported"


class MutationNotAllowed(EngineError):
    """A mutation sent by GET: the HTTP edge answers 405 with ``Allow: POST``."""

    code = "method-not-allowed"


class PermissionDenied(EngineError):
    code = "permission-error"


class SessionVariableMissing(EngineError):
    code = "not-found"

    def __init__(self, name: str) -> None:
        super().__init__(f'missing session variable: "{name}"', "$")


class BadRequest(EngineError):
    code = "bad-request"


class ConstraintViolation(EngineError):
    code = "constraint-violation"


class QueryTimeout(EngineError):
    """The statement ran past the statement timeout and was cancelled (PostgreSQL's 57014)."""

    code = "postgres-error"

    def __init__(self, timeout_ms: int) -> None:
        super().__init__(f"query took longer than the statement timeout of {timeout_ms} ms and was cancelled")


class AnswerTooLarge(EngineError):
    """An answer (or a batch's answers) grew past the byte cap while it was produced: stopped, not sent."""

    code = "bad-request"

    def __init__(self, cap: int, batch: bool = False) -> None:
        what = "the batch's answers" if batch else "the answer"
        setting = "QAPRESS_MAX_BATCH_BYTES" if batch else "QAPRESS_MAX_ANSWER_BYTES"
        super().__init__(
            f"{what} would exceed the cap of {cap:,} bytes ({setting}) and was stopped: ask for fewer rows "
            "or fewer columns"
        )


class DatabaseError(EngineError):
    """The database failed; the message is generic on purpose (no raw driver text leaves the engine)."""

    code = "unexpected"


class DatabaseUnavailable(DatabaseError):
    """The database cannot be reached (down, restarting, out of connections): Hasura's ``postgres-error``
    with "connection error". Pages answer 503 with ``Retry-After``; the next request reconnects."""

    code = "postgres-error"

    def __init__(self, detail: str = "the database is unavailable; try again shortly") -> None:
        super().__init__(f"connection error: {detail}")


class DatabaseBusy(DatabaseError):
    """Another writer held the lock past the busy timeout (SQLite), or a serialization failure or deadlock
    (PostgreSQL): Hasura's ``concurrent-update``. Safe to retry; pages answer 503 with ``Retry-After``."""

    code = "concurrent-update"

    def __init__(self, detail: str = "the database is busy with another write; try again") -> None:
        super().__init__(detail)


#: The codes of errors that pass: a page answers 503 with ``Retry-After`` rather than 500.
RETRYABLE_CODES = frozenset({DatabaseUnavailable.code, DatabaseBusy.code})


def error_response(errors: list[EngineError]) -> dict[str, Any]:
    return {"errors": [error.to_json() for error in errors]}
