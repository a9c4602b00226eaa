"""The monitoring tier's declaration: its chart and what Prometheus and Grafana must provide."""

from __future__ import annotations

from ..core.tier import ChartSpec, TierSpec
from ..release import Release
from .chart import MonitoringChart


def _prerequisites(release: Release) -> list[str]:
    """The Prometheus Operator or OpenShift's user workload monitoring, the exporters the alerts read,
    and Grafana for the dashboard."""
    plan, found = release.monitoring, []
    if plan.operator_objects and release.platform.prometheus_operator:
        found.append(
            "user workload monitoring (enableUserWorkload: true in the openshift-monitoring namespace's "
            "cluster-monitoring-config), which scrapes and evaluates this namespace's ServiceMonitors and "
            "PrometheusRules"
        )
    elif plan.operator_objects:
        labelled = ", ".join(f"{k}={v}" for k, v in sorted(plan.labels.items()))
        found.append(
            "the Prometheus Operator's CRDs (monitoring.coreos.com/v1 ServiceMonitor, PrometheusRule) and a "
            f"Prometheus in namespace {plan.prometheus_namespace} that selects this namespace's ServiceMonitors "
            "and PrometheusRules" + (f" labelled {labelled}" if labelled else "")
        )
    if plan.alerts and not release.platform.prometheus_operator:  # OpenShift's platform monitoring has both
        found.append("kube-state-metrics and the kubelets' cAdvisor in that Prometheus (availability alerts)")
    if plan.dashboards:
        labels = release.values.monitoring.dashboards.labels
        labelled = " labelled " + ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) if labels else ""
        found.append(f"Grafana loading dashboards from ConfigMaps{labelled} in namespace {release.namespace}")
    return found


TIER: TierSpec[Release] = TierSpec(
    name="monitoring",
    charts=(
        ChartSpec(
            order=90, name="monitoring", build=lambda scope, id, release: MonitoringChart(scope, id, release=release)
        ),
    ),
    prerequisites=_prerequisites,
)
