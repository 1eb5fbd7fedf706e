"""``LinkWorker``: runs the backlink checks and the scheduled-publishing pass on a schedule, in a thread the
site can start, or once.

``qapress worker`` runs it in the foreground, ``qapress worker --once`` checks what is due and exits, and
``qapress serve`` starts one in its process (``link_worker_lifespan`` in the app's lifespan, or
``start_link_worker``; setting ``links_worker_in_serve``).
Several workers may run against one store: each link is claimed before it is checked, and each due article
is published by exactly one of them (``qapress.articles.scheduler``). Other periodic passes (the feeds' poll,
``qapress.feeds``) run in the same loop after each round of checks: the worker takes them as plain callables,
so links knows nothing of them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence

import anyio.to_thread
from sqlalchemy.engine import Engine

from qapress.articles.clock import Clock, utc_now
from qapress.articles.publishing import StatusChange
from qapress.articles.scheduler import ScheduledPublisher
from qapress.engine.driver_errors import outage
from qapress.indexnow import IndexNowPinger, PingResult
from qapress.links.checker import BacklinkChecker, CheckResult
from qapress.observe.logs import FIELDS
from qapress.observe.metrics import BACKLINK_CHECKS
from qapress.settings import Settings

log = logging.getLogger("qapress.links.worker")


class LinkWorker:
    """Every ``poll_seconds`` until stopped: publishes the scheduled articles that are due, checks due links."""

    def __init__(
        self,
        checker: BacklinkChecker,
        poll_seconds: float = 30.0,
        publisher: ScheduledPublisher | None = None,
        passes: Sequence[Callable[[], object]] = (),
        pinger: IndexNowPinger | None = None,
    ) -> None:
        self.checker = checker
        self.poll_seconds = poll_seconds
        self.publisher = publisher
        #: Run after each round of checks, each on its own: one failing does not stop the others.
        self.passes = tuple(passes)
        self.pinger = pinger
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: The message of the outage the worker is waiting out, logged once when it starts and when it ends.
        self._outage: str | None = None

    @classmethod
    def from_settings(
        cls,
        engine: Engine,
        settings: Settings,
        clock: Clock = utc_now,
        passes: Sequence[Callable[[], object]] = (),
    ) -> LinkWorker:
        return cls(
            BacklinkChecker.from_settings(engine, settings),
            settings.links_worker_poll_seconds,
            ScheduledPublisher(engine, clock),
            passes,
            IndexNowPinger(engine, settings),
        )

    def publish_scheduled(self) -> list[StatusChange]:
        """The scheduled-publishing pass: publish every article due by the publisher's clock."""
        return self.publisher.run_once() if self.publisher is not None else []

    def send_pings(self) -> PingResult:
        """The IndexNow pass: send the queued pings that are due (nothing when IndexNow is off)."""
        return self.pinger.run_once() if self.pinger is not None else PingResult()

    def run_once(self, batch_size: int = 100, max_batches: int = 100) -> list[CheckResult]:
        """Check the links that are due now (each at most once), then return what was done."""
        results: list[CheckResult] = []
        for _ in range(batch_size * max_batches):
            if self._stop.is_set():
                return results
            now = _utc_now()
            # Claimed before it is loaded: workers on every host take the due links one by one, each once.
            link_id = self.checker.claim_next(now)
            if link_id is None:
                break
            result = self.checker.check(link_id, now=now)
            if result is not None:
                results.append(result)
                detail = result.reason or result.title or ""
                BACKLINK_CHECKS.labels(result.after).inc()
                fields = {
                    "event": "backlink_check",
                    "link_id": link_id,
                    "url": result.url,
                    "before": result.before,
                    "after": result.after,
                    "detail": detail,
                }
                log.info(
                    "link %s: %s -> %s %s",
                    link_id,
                    result.before,
                    result.after,
                    detail,
                    extra={FIELDS: fields},
                )
        return results

    def run_forever(self) -> None:
        """Publish what is due, check due links, sleep ``poll_seconds``, repeat until ``stop``; an error is
        logged, not fatal, and a database outage is one line when it starts and one when it ends."""
        steps: list[tuple[str, Callable[[], object]]] = [
            ("scheduled publishing", self.publish_scheduled),
            ("IndexNow pings", self.send_pings),
            ("the round of link checks", self.run_once),
            *((f"the pass {extra!r}", extra) for extra in self.passes),
        ]
        while not self._stop.is_set():
            outages = [self._run_step(name, step) for name, step in steps if not self._stop.is_set()]
            down = next((message for message in outages if message is not None), None)
            if down is not None and self._outage is None:
                log.warning(
                    "worker: the database is unavailable (%s); waiting, trying again every %s s",
                    down,
                    self.poll_seconds,
                )
            elif down is None and self._outage is not None and not self._stop.is_set():
                log.warning("worker: the database is back after an outage (%s)", self._outage)
            self._outage = down
            self._stop.wait(self.poll_seconds)

    def _run_step(self, name: str, step: Callable[[], object]) -> str | None:
        """Run one step; the message of the database outage that stopped it, or None."""
        try:
            step()
        except Exception as exc:
            down = outage(exc)
            if down is not None:
                return down.message
            log.exception("worker: %s failed; trying again in %s s", name, self.poll_seconds)
        return None

    def start(self) -> LinkWorker:
        """Run ``run_forever`` in a daemon thread; returns self so the caller can ``stop`` it later."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self.run_forever, name="qapress-link-worker", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the thread to stop; wait for the check in progress (each fetch is bounded by its timeout)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


def start_link_worker(
    engine: Engine, settings: Settings, passes: Sequence[Callable[[], object]] = ()
) -> LinkWorker:
    """Start a worker thread: ``worker = start_link_worker(engine, settings)`` ... ``worker.stop()``."""
    return LinkWorker.from_settings(engine, settings, passes=passes).start()


@contextlib.asynccontextmanager
async def link_worker_lifespan(worker: LinkWorker) -> AsyncIterator[LinkWorker]:
    """For a Starlette lifespan: the worker runs while the app serves and is stopped, off the loop, after."""
    worker.start()
    try:
        yield worker
    finally:
        await anyio.to_thread.run_sync(worker.stop)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
