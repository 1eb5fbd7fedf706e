"""The Grafana dashboard in docs/ asks only for metrics qapress exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from qapress.observe.metrics import QueueDepths, exposition

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"


def exported_names() -> set[str]:
    body, _ = exposition([QueueDepths({"links_due": lambda: 0})])
    names: set[str] = set()
    for family in text_string_to_metric_families(body.decode()):
        names.update(sample.name for sample in family.samples)
        names.add(family.name)
    return names


def test_every_expression_uses_exported_metrics() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    assert len(expressions) >= 10
    used = {name for expr in expressions for name in re.findall(r"\bqapress_[a-z_]+", expr)}
    # Labelled metrics appear in the exposition only once used; these are declared by qapress.observe.metrics.
    from qapress.observe import metrics

    declared = {
        f"{metric._name}{suffix}"
        for metric in vars(metrics).values()
        if hasattr(metric, "_name") and hasattr(metric, "_type")
        for suffix in ("", "_total", "_bucket", "_sum", "_count")
    }
    missing = used - declared - exported_names()
    assert not missing, f"the dashboard asks for metrics nobody exports: {sorted(missing)}"
    for wanted in ("qapress_page_cache_total", "qapress_plan_cache_total", "qapress_queue_depth"):
        assert wanted in used
