"""The Grafana dashboard (``deploy/grafana/contactcenter.json``) loads, takes its Prometheus
from a variable, shows every metric we export, and names no metric we do not (but Asterisk's
``asterisk_*``, checked against a real Asterisk in tests/realstack/test_metrics.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from contactcenter.site.config import REPO_DIR
from workers.metric_specs import METRICS

DASHBOARD = REPO_DIR / "deploy" / "grafana" / "contactcenter.json"

# PromQL words that look like names: operators and modifiers (functions are followed by "(").
_KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left",
                       "group_right", "inf", "nan"})  # fmt: skip
_SERIES_SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "counter": (), "gauge": ()}


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])  # a collapsed row keeps its panels inside


def exprs(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in panels(dashboard) for target in panel.get("targets", [])]


def names_in(expr: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings (label values)
    bare = re.sub(r"\{[^}]*\}", "", bare)  # label matchers
    bare = re.sub(r"\[[^\]]*\]", "", bare)  # ranges
    bare = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", bare)  # label lists
    found = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)(\s*\()?", bare):
        if match.group(2) is None and match.group(1) not in _KEYWORDS:
            found.add(match.group(1))
    return found


def metric_names(dashboard: dict[str, Any]) -> set[str]:
    return set().union(*(names_in(expr) for expr in exprs(dashboard)))


def exported_series() -> dict[str, str]:
    """Every series name we export -> the metric it belongs to."""
    return {spec.name + suffix: spec.name for spec in METRICS for suffix in ("", *_SERIES_SUFFIXES[spec.kind])}


def test_names_in_reads_promql_as_prometheus_would() -> None:
    expr = ('histogram_quantile(0.95, sum by (le, engine) (rate(cc_asr_latency_seconds_bucket{engine=~"m.*"}[5m])))'
            ' / on(instance) group_left sum without (job) (up offset 1h) > bool 0')  # fmt: skip
    assert names_in(expr) == {"cc_asr_latency_seconds_bucket", "up"}
    assert names_in('sum(cc_agents{state="on_call"}) or vector(0)') == {"cc_agents"}


def test_the_dashboard_shows_every_metric_we_export_and_no_other_but_asterisks() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    series = exported_series()
    names = metric_names(dashboard)
    unknown = {n for n in names if n not in series and not n.startswith("asterisk_")}
    assert not unknown, f"the dashboard names metrics nobody exports: {sorted(unknown)}"
    assert {series[n] for n in names if n in series} == {spec.name for spec in METRICS}
    assert any(n.startswith("asterisk_") for n in names)


def test_its_prometheus_is_a_variable_every_panel_uses() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    [variable] = [v for v in dashboard["templating"]["list"] if v["type"] == "datasource"]
    assert variable["query"] == "prometheus"
    for panel in panels(dashboard):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": f"${{{variable['name']}}}"}, panel["title"]
        assert panel["targets"] and all(t["datasource"] == panel["datasource"] for t in panel["targets"])
    ids = [panel["id"] for panel in panels(dashboard)]
    assert len(ids) == len(set(ids))
