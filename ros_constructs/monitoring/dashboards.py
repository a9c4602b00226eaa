"""``<release>-grafana-dashboard``: a ConfigMap with one Grafana dashboard for the stack.

Three rows: the API tier (Koku's requests, 5xx ratio and p95 latency per API Deployment, the
ROS API's requests, available replicas), the queues (the ``koku:celery:<queue>_queue``
recording rules, workers per pool) and ROS processing (failing Kruize calls, rejected uploads,
CPU of the backend and Kruize). Queries name only series the rules record, the pods export or
kube-state-metrics and the kubelet's cAdvisor provide. The JSON is written with sorted keys, so
the same values give the same ConfigMap.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import constructs

from ..core.emit import Json, api_object
from ..core.inventory import PodOwner
from ..core.naming import Naming
from ..core.tree import Part, inventory
from ..cost_management.alerts import api_jobs
from ..cost_management.env import component_for
from ..cost_management.queue_monitoring import recording_rule
from ..cost_management.tier import KokuTier
from ..release import Release
from ..ros.names import BACKEND_APP, KRUIZE_APP, ros_api_service

NAME_LABEL = "app.kubernetes.io/name"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
WIDTH, HEIGHT = 12, 8


def _ref(index: int) -> str:
    """Grafana's query letters: A..Z, then AA, AB, ..."""
    return (_ref(index // 26 - 1) if index >= 26 else "") + chr(ord("A") + index % 26)


def _panel(title: str, unit: str, targets: Sequence[tuple[str, str]]) -> Json:
    """A time series panel of ``(query, legend)`` targets."""
    return {
        "type": "timeseries",
        "title": title,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [
            {"expr": expr, "legendFormat": legend, "refId": _ref(i)} for i, (expr, legend) in enumerate(targets)
        ],
    }


def _layout(rows: Sequence[tuple[str, Sequence[Json]]]) -> list[Json]:
    """Rows of two panels abreast, numbered in order."""
    panels, y = [], 0
    for title, row in rows:
        panels.append({"type": "row", "title": title, "collapsed": False, "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}})
        y += 1
        for i, panel in enumerate(row):
            place = {"h": HEIGHT, "w": WIDTH, "x": (i % 2) * WIDTH, "y": y + (i // 2) * HEIGHT}
            panels.append({**panel, "gridPos": place})
        y += -(-len(row) // 2) * HEIGHT
    return [{**p, "id": i} for i, p in enumerate(panels, start=1)]


def _api_tier(release: Release, koku: KokuTier) -> list[Json]:
    ns, jobs = release.namespace, api_jobs(koku)
    responses = f'django_http_responses_total_by_status_total{{namespace="{ns}", job=~"{jobs}"'
    latency = f'django_http_requests_latency_seconds_by_view_method_bucket{{namespace="{ns}", job=~"{jobs}"}}'
    panels = [
        _panel("Koku API requests", "reqps", [(f"sum by (job) (rate({responses}}}[5m]))", "{{job}}")]),
        _panel(
            "Koku API 5xx ratio",
            "percentunit",
            [
                (
                    f'sum by (job) (rate({responses}, status=~"5.."}}[5m])) / sum by (job) (rate({responses}}}[5m]))',
                    "{{job}}",
                )
            ],
        ),
        _panel(
            "Koku API p95 latency",
            "s",
            [(f"histogram_quantile(0.95, sum by (job, le) (rate({latency}[5m])))", "{{job}}")],
        ),
    ]
    ros_api = ros_api_service(release)
    if ros_api:
        requests = f'rosocp_requests_total{{namespace="{ns}", job="{ros_api}"}}'
        panels.append(_panel("ROS API requests", "reqps", [(f"sum by (code) (rate({requests}[5m]))", "{{code}}")]))
    # Each API Service is named after its Deployment.
    deployments = f'kube_deployment_status_replicas_available{{namespace="{ns}", deployment=~"{jobs}"}}'
    panels.append(_panel("API pods available", "short", [(f"sum by (deployment) ({deployments})", "{{deployment}}")]))
    return panels


def _queues(release: Release, koku: KokuTier) -> list[Json]:
    ns = release.namespace
    queues = [q for q, pool in release.values.cost_management.workers.all_pools().items() if pool.enabled]
    workers = "|".join(koku.naming.name(component_for(q)) for q in queues)
    available = f'kube_deployment_status_replicas_available{{namespace="{ns}", deployment=~"{workers}"}}'
    return [
        _panel("Celery backlog per queue", "short", [(f'{recording_rule(q)}{{namespace="{ns}"}}', q) for q in queues]),
        _panel("Workers available per pool", "short", [(f"sum by (deployment) ({available})", "{{deployment}}")]),
    ]


def _ros_processing(release: Release, owners: Sequence[PodOwner]) -> list[Json]:
    """``owners``: the output's pod owners; each main container is named after its Deployment."""
    ns = release.namespace
    ros = (BACKEND_APP, KRUIZE_APP)
    containers = "|".join(o.name for o in owners if o.kind == "Deployment" and o.labels[NAME_LABEL] in ros)
    cpu = f'container_cpu_usage_seconds_total{{namespace="{ns}", container=~"{containers}"}}'
    memory = f'container_memory_working_set_bytes{{namespace="{ns}", container=~"{containers}"}}'
    return [
        _panel(
            "Failing Kruize calls",
            "reqps",
            [
                (
                    f'sum by (job, path) (rate(rosocp_kruize_api_exception_total{{namespace="{ns}"}}[5m]))',
                    "{{job}} {{path}}",
                )
            ],
        ),
        _panel(
            "Rejected uploads",
            "short",
            [
                (f'sum(increase(rosocp_invalid_csv_total{{namespace="{ns}"}}[1h]))', "invalid CSV files per hour"),
                (f'sum(increase(rosocp_invalid_datapoints_total{{namespace="{ns}"}}[1h]))', "invalid rows per hour"),
            ],
        ),
        _panel("ROS and Kruize CPU", "cores", [(f"sum by (container) (rate({cpu}[5m]))", "{{container}}")]),
        _panel("ROS and Kruize memory", "bytes", [(f"sum by (container) ({memory})", "{{container}}")]),
    ]


def dashboard(release: Release, owners: Sequence[PodOwner]) -> Json:
    """The dashboard's JSON model; ``owners`` are the pod owners in the output."""
    koku = KokuTier(release=release)
    rows = [("API tier", _api_tier(release, koku)), ("Queues", _queues(release, koku))]
    if release.values.ros.enabled:
        rows.append(("ROS processing", _ros_processing(release, owners)))
    return {
        "title": f"Cost Management on-prem ({release.name})",
        "uid": f"{release.name}-overview"[:40],
        "tags": ["cost-onprem"],
        "editable": False,
        "schemaVersion": 39,
        "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [{"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus"}]
        },
        "panels": _layout(rows),
    }


class GrafanaDashboard(Part):
    """The dashboard in a ConfigMap labelled for Grafana's dashboard sidecar."""

    def __init__(self, scope: constructs.Construct, id: str, *, release: Release, naming: Naming) -> None:
        super().__init__(scope, id)
        model = dashboard(release, list(inventory(self).pod_owners()))
        component = "grafana-dashboard"
        api_object(
            self,
            "ConfigMap",
            api_version="v1",
            kind="ConfigMap",
            name=naming.name(component),
            labels={**release.values.monitoring.dashboards.labels, **naming.labels(component)},
            body={"data": {f"{release.name}.json": json.dumps(model, indent=2, sort_keys=True) + "\n"}},
        )
