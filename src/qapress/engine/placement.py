"""Where a cached plan runs: on the event loop while its measured time stays short, else in the threadpool.

The hop to the threadpool costs ~30-100 µs, more than a quick plan's whole statement, so a plan measured quick
runs on the loop. It is measured first: its first ``WARMUP`` runs go to the threadpool, where a slow plan
blocks nobody, and an exponentially weighted mean of its times decides after. A run on the loop that takes
longer than the bound sends the plan back to the threadpool at once (its mean becomes that run's time), so a
plan turned slow (a larger table, a lock, a ``pg_sleep``) blocks the loop at most once; hysteresis (back to the
loop only under half the bound) keeps a plan near the bound from flapping.

One run a few milliseconds long is what a busy machine does to any quick plan now and then (the process was
descheduled: another process had the core for its time slice), and a plan turned slow looks the same for
one run. The next runs, in the threadpool, tell them apart: an outlier no longer than ``NOISE_SECONDS`` is
forgotten as soon as one of the next ``PROBES`` runs is under half the bound, and the plan goes back to the
loop at once, where the mean's decay would have kept it off for many runs, each paying the hop. Several
probes, not one: under load a run in the threadpool waits for the GIL the busy loop holds (up to the
interpreter's 5 ms switch interval), so one probe of a quick plan may come out slow too; a plan turned slow
is slow in all of them. An outlier longer than the noise (a lock, a ``pg_sleep``) is believed, and decays as
before.
"""

from __future__ import annotations

from dataclasses import dataclass

#: A plan whose mean time is under half this may run on the loop (a run over it sends the plan back): on
#: a busy machine a thread's wake-up alone takes longer than a millisecond.
LOOP_MAX_SECONDS = 0.002
#: The longest single run taken for the scheduler's doing, if the next run is quick (a few time slices).
NOISE_SECONDS = 0.025
#: Runs in the threadpool after a short outlier, any of which, if quick, sends the plan back to the loop.
PROBES = 4
WARMUP = 3
#: The mean's weight of the newest run.
ALPHA = 0.2


@dataclass
class _Timing:
    plan: object
    mean: float = 0.0
    runs: int = 0
    on_loop: bool = False
    #: The mean before a lone run over the bound (short enough to be noise), while the probes judge it.
    before_outlier: float | None = None
    #: Probes left to judge the outlier.
    probes: int = 0


class Placement:
    """Per plan, a running mean of its execution time and the verdict loop or threadpool."""

    def __init__(
        self,
        loop_max_seconds: float = LOOP_MAX_SECONDS,
        size: int = 4096,
        noise_seconds: float = NOISE_SECONDS,
    ) -> None:
        self.loop_max_seconds = loop_max_seconds
        self.noise_seconds = noise_seconds
        self.size = size
        self._timings: dict[int, _Timing] = {}

    def _timing(self, plan: object) -> _Timing:
        timing = self._timings.get(id(plan))
        if timing is None or timing.plan is not plan:  # an id reused by a newer plan starts afresh
            if len(self._timings) >= self.size:
                self._timings.clear()
            timing = self._timings[id(plan)] = _Timing(plan)
        return timing

    def on_loop(self, plan: object) -> bool:
        """Whether ``plan`` may run on the event loop now."""
        timing = self._timings.get(id(plan))
        return timing is not None and timing.plan is plan and timing.on_loop

    def probing(self, plan: object) -> bool:
        """Whether ``plan`` is off the loop for a long run that its next runs (the probes) are to judge."""
        timing = self._timings.get(id(plan))
        return timing is not None and timing.plan is plan and timing.before_outlier is not None

    def observe(self, plan: object, seconds: float) -> None:
        """Record one run of ``plan`` (on the loop or not) and decide where its next one goes."""
        timing = self._timing(plan)
        timing.runs += 1
        bound = self.loop_max_seconds
        outlier = timing.before_outlier
        if outlier is not None:
            timing.probes -= 1
            if seconds <= bound / 2:
                # The long run that sent the plan here was the machine's, not the plan's.
                timing.before_outlier = None
                timing.mean = outlier + ALPHA * (seconds - outlier)
                timing.on_loop = timing.mean <= bound  # it was on the loop: the hysteresis keeps it there
                return
            if timing.probes <= 0:
                timing.before_outlier = None  # slow in every probe: believed, the mean decays as usual
        if seconds > bound and timing.on_loop and seconds <= self.noise_seconds:
            timing.before_outlier, timing.probes = timing.mean, PROBES
        if timing.runs == 1 or seconds > bound:
            timing.mean = seconds
        else:
            timing.mean += ALPHA * (seconds - timing.mean)
        if seconds > bound or timing.mean > bound:
            timing.on_loop = False
        elif timing.runs >= WARMUP and timing.mean <= bound / 2:
            timing.on_loop = True
