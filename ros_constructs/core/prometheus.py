"""Prometheus Operator objects as plain JSON: alerting rules with a runbook link, PrometheusRules
and ServiceMonitors. Knows no Koku or ROS names; each tier writes the rules of its components."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import constructs

from .emit import Json, api_object
from .kinds import PROMETHEUS_RULE, SERVICE_MONITOR


@dataclass(frozen=True, kw_only=True)
class Alert:
    """One alerting rule; ``runbook`` is its runbook section (default: the alert's own name)."""

    name: str
    expr: str
    duration: str
    severity: Literal["critical", "warning", "info"]
    summary: str
    description: str
    labels: Mapping[str, str] = field(default_factory=dict)
    runbook: str = ""

    def rule(self, runbook_url: Callable[[str], str]) -> Json:
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.duration,
            "labels": {**self.labels, "severity": self.severity},
            "annotations": {
                "summary": self.summary,
                "description": self.description,
                "runbook_url": runbook_url(self.runbook or self.name),
            },
        }


def prometheus_rule(
    scope: constructs.Construct,
    id: str,
    *,
    name: str,
    labels: Mapping[str, str],
    groups: Sequence[tuple[str, Sequence[Json]]],
) -> None:
    """A PrometheusRule of ``(group name, rules)``; groups without rules are left out."""
    api_object(
        scope,
        id,
        kind=PROMETHEUS_RULE,
        name=name,
        labels=labels,
        body={"spec": {"groups": [{"name": group, "rules": list(rules)} for group, rules in groups if rules]}},
    )


def service_monitor(
    scope: constructs.Construct,
    id: str,
    *,
    name: str,
    labels: Mapping[str, str],
    selector: Mapping[str, str],
    endpoints: Sequence[Json],
) -> None:
    """A ServiceMonitor selecting Services by ``selector`` in its own namespace."""
    api_object(
        scope,
        id,
        kind=SERVICE_MONITOR,
        name=name,
        labels=labels,
        body={"spec": {"selector": {"matchLabels": dict(selector)}, "endpoints": list(endpoints)}},
    )
