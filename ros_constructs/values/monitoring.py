"""Monitoring of the whole stack: ServiceMonitors, alert rules and a Grafana dashboard.

ServiceMonitors and PrometheusRules are Prometheus Operator custom resources: OpenShift ships
their CRDs (user workload monitoring), a fresh Kubernetes cluster does not, so ``enabled``
decides per platform unless set.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from .base import DnsLabel, HttpUrl, Labels, Model
from .errors import ValuesError

Duration = Annotated[str, Field(pattern=r"^[0-9]+[smh]$")]


def _not_ours(labels: dict[str, str]) -> dict[str, str]:
    """The app.kubernetes.io/ labels name and select the release's objects; extra labels may not replace them."""
    taken = sorted(k for k in labels if k.startswith("app.kubernetes.io/"))
    if taken:
        raise ValuesError(f"{taken} are the release's own labels; choose other keys")
    return labels


ExtraLabels = Annotated[Labels, AfterValidator(_not_ours)]


class ServiceMonitors(Model):
    """One ServiceMonitor per Service with a metrics port."""

    enabled: bool = Field(
        default=True,
        description="Koku's workers, listeners, masu and sources-client put their metrics port on a Service only then.",
    )
    interval: Duration = Field(default="60s", description="Scrape interval of every endpoint.")
    prometheus_namespace: DnsLabel | None = Field(
        default=None,
        description="Namespace the scraping Prometheus runs in; the metrics ports admit it. Unset: "
        "openshift-user-workload-monitoring on OpenShift, monitoring on Kubernetes.",
    )
    kruize: bool = Field(
        default=False,
        description="Scrape Kruize too. Kruize serves /metrics on its API port, which has no authentication, "
        "and a NetworkPolicy cannot tell paths apart: on, the Prometheus namespace reaches Kruize's whole API "
        "(every experiment and recommendation, and creating or deleting them). Off, Kruize is watched "
        "through its Deployment only.",
    )


class Alerts(Model):
    """PrometheusRules: availability, the Koku API and ingest, ROS, and the workers' backlog alerts."""

    enabled: bool = Field(
        default=True,
        description="The workers' backlog alerts follow costManagement.workers.alerts.enabled when that is set.",
    )
    runbook_base_url: HttpUrl = Field(
        default="https://github.com/insights-onprem/ros-constructs/blob/main/docs/runbooks.md",
        description="Each alert's runbook_url is this plus #<alert>; point it at your copy of docs/runbooks.md.",
    )


class Dashboards(Model):
    """A ConfigMap with a Grafana dashboard: the API tier, the queues and ROS processing."""

    enabled: bool = Field(default=True, description="Its queue panels read the workers' recording rules.")
    labels: ExtraLabels = Field(
        default_factory=lambda: {"grafana_dashboard": "1"},
        description="Labels Grafana's dashboard sidecar selects ConfigMaps by.",
    )


class Monitoring(Model):
    """Prometheus Operator objects and a dashboard for the whole stack."""

    enabled: bool | None = Field(
        default=None,
        description="Unset: on for openshift (its user workload monitoring has the Prometheus Operator CRDs) "
        "and when costManagement.workers already needs Prometheus (KEDA's Prometheus trigger, "
        "workers.alerts.enabled true); off on a plain Kubernetes cluster. Off, KEDA's Prometheus trigger "
        "still gets its recording rules, but nothing of ours scrapes the workers.",
    )
    labels: ExtraLabels = Field(
        default_factory=dict,
        description="Extra labels on every ServiceMonitor and PrometheusRule, for Prometheus' "
        "serviceMonitorSelector and ruleSelector (kube-prometheus-stack: release: <its release>).",
    )
    service_monitors: ServiceMonitors = Field(default_factory=ServiceMonitors)
    alerts: Alerts = Field(default_factory=Alerts)
    dashboards: Dashboards = Field(default_factory=Dashboards)
