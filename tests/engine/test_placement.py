"""Where a cached plan runs: measured first in the threadpool, on the loop while quick, off it at once when
one run is slow."""

from __future__ import annotations

import pytest

from qapress.engine.placement import PROBES, WARMUP, Placement


def test_a_new_plan_is_measured_in_the_threadpool_first() -> None:
    placement = Placement(loop_max_seconds=0.001)
    plan = object()
    assert not placement.on_loop(plan)
    for _ in range(WARMUP - 1):
        placement.observe(plan, 0.0001)
        assert not placement.on_loop(plan)
    placement.observe(plan, 0.0001)
    assert placement.on_loop(plan)


def test_one_slow_run_sends_a_plan_off_the_loop_and_it_comes_back_only_well_under_the_bound() -> None:
    placement = Placement(loop_max_seconds=0.001)
    plan = object()
    for _ in range(WARMUP):
        placement.observe(plan, 0.0001)
    placement.observe(plan, 2.0)  # a lock, a pg_sleep: one run long
    assert not placement.on_loop(plan)
    for _ in range(3):
        placement.observe(plan, 0.0001)
    assert not placement.on_loop(plan), "the mean of a long run decays before the plan goes back"
    for _ in range(200):
        placement.observe(plan, 0.0001)
    assert placement.on_loop(plan)


def test_a_plan_near_the_bound_stays_in_the_threadpool() -> None:
    placement = Placement(loop_max_seconds=0.001)
    plan = object()
    for _ in range(50):
        placement.observe(plan, 0.0008)
    assert not placement.on_loop(plan)


def test_plans_are_told_apart_by_identity() -> None:
    placement = Placement(loop_max_seconds=0.001)
    quick, other = object(), object()
    for _ in range(WARMUP):
        placement.observe(quick, 0.0001)
    assert placement.on_loop(quick)
    assert not placement.on_loop(other)


def quick_on_the_loop() -> tuple[Placement, object]:
    """A placement (2 ms bound, 25 ms of noise) with a quick plan measured onto the loop."""
    placement = Placement(loop_max_seconds=0.002, noise_seconds=0.025)
    plan = object()
    for _ in range(WARMUP):
        placement.observe(plan, 0.0001)
    assert placement.on_loop(plan)
    return placement, plan


def test_a_lone_run_of_a_few_milliseconds_is_the_machines_when_the_next_run_is_quick() -> None:
    placement, plan = quick_on_the_loop()
    placement.observe(plan, 0.005)  # descheduled for a time slice
    assert not placement.on_loop(plan), "the next run is the probe, in the threadpool"
    assert placement.probing(plan)
    placement.observe(plan, 0.0001)
    assert placement.on_loop(plan), "the probe was quick: back on the loop at once"
    assert not placement.probing(plan)


def test_a_plan_slow_in_every_probe_after_a_short_outlier_stays_off_the_loop() -> None:
    placement, plan = quick_on_the_loop()
    placement.observe(plan, 0.005)
    for _ in range(PROBES):
        placement.observe(plan, 0.004)  # the probes are slow too: the plan turned slow
        assert not placement.on_loop(plan)
    assert not placement.probing(plan)
    for _ in range(3):
        placement.observe(plan, 0.0001)
    assert not placement.on_loop(plan), "believed: its mean decays before it goes back"


@pytest.mark.parametrize("quick_probe", range(PROBES))
def test_one_quick_probe_of_several_is_enough(quick_probe: int) -> None:
    """Under load a probe in the threadpool waits for the GIL: a slow probe proves nothing alone."""
    placement, plan = quick_on_the_loop()
    placement.observe(plan, 0.005)
    for _ in range(quick_probe):
        placement.observe(plan, 0.003)
    placement.observe(plan, 0.0001)
    assert placement.on_loop(plan)


def test_a_run_longer_than_noise_is_believed_even_if_the_next_is_quick() -> None:
    placement, plan = quick_on_the_loop()
    placement.observe(plan, 0.5)
    assert not placement.probing(plan)
    placement.observe(plan, 0.0001)
    assert not placement.on_loop(plan)
