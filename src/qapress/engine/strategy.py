"""Which statement answers a plan that has two (:mod:`.flat`): the JSON the database builds, or rows assembled
in Python. Measured per plan, since the faster one depends on the shape and the database: on SQLite with
small columns the database's JSON wins, with a large column or on PostgreSQL the rows do
(``python -m bench large``).

The first runs alternate, the JSON statement first (a plan run once answers exactly as before), until each
way has ``TRIALS`` times; then the way with the smaller best time runs, and every ``ROUND`` runs both are
measured again (a table that grew, a machine that got busier). The best time, not the mean: on a shared
machine the noise only ever adds.
"""

from __future__ import annotations

TRIALS = 3
ROUND = 1000


class StrategyChoice:
    """One plan's times of each way and the verdict. Threads may race on it; a lost sample only delays the
    verdict."""

    __slots__ = ("_json", "_rows", "_runs", "rows_faster")

    def __init__(self) -> None:
        self._json: list[float] = []
        self._rows: list[float] = []
        self._runs = 0
        self.rows_faster = False

    @property
    def measured(self) -> bool:
        return len(self._json) >= TRIALS and len(self._rows) >= TRIALS

    def rows_next(self) -> bool:
        """Whether the next run takes the rows way."""
        self._runs += 1
        if self._runs % ROUND == 0:
            self._json.clear()
            self._rows.clear()
        if not self.measured:
            return len(self._rows) < len(self._json)
        return self.rows_faster

    def observe(self, rows: bool, seconds: float) -> None:
        """Record one run's time (the answer's bytes made, the statement included)."""
        samples = self._rows if rows else self._json
        if len(samples) < TRIALS:
            samples.append(seconds)
            if self.measured:
                self.rows_faster = min(self._rows) < min(self._json)
