"""The Cost Management rows of the release's Grafana dashboard: the Koku API (requests, 5xx ratio
and p95 latency per API Deployment, available replicas) and the queues (the
``koku:celery:<queue>_queue`` recording rules, workers per pool)."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.grafana import panel
from ..core.inventory import PodOwner
from ..core.tier import DashboardRow
from ..release import Release
from .alerts import api_jobs
from .env import component_for
from .queue_monitoring import recording_rule
from .tier import KokuTier

API_ROW = "API tier"
"""Other tiers add their API panels to this row, between the request panels and the replica count."""


def dashboard_rows(release: Release, owners: Sequence[PodOwner]) -> list[DashboardRow]:
    koku = KokuTier(release=release)
    ns, jobs = release.namespace, api_jobs(koku)
    responses = f'django_http_responses_total_by_status_total{{namespace="{ns}", job=~"{jobs}"'
    latency = f'django_http_requests_latency_seconds_by_view_method_bucket{{namespace="{ns}", job=~"{jobs}"}}'
    requests = [
        panel("Koku API requests", "reqps", [(f"sum by (job) (rate({responses}}}[5m]))", "{{job}}")]),
        panel(
            "Koku API 5xx ratio",
            "percentunit",
            [
                (
                    f'sum by (job) (rate({responses}, status=~"5.."}}[5m])) / sum by (job) (rate({responses}}}[5m]))',
                    "{{job}}",
                )
            ],
        ),
        panel(
            "Koku API p95 latency",
            "s",
            [(f"histogram_quantile(0.95, sum by (job, le) (rate({latency}[5m])))", "{{job}}")],
        ),
    ]
    # Each API Service is named after its Deployment.
    deployments = f'kube_deployment_status_replicas_available{{namespace="{ns}", deployment=~"{jobs}"}}'
    available = panel("API pods available", "short", [(f"sum by (deployment) ({deployments})", "{{deployment}}")])
    queues = [q for q, pool in release.values.cost_management.workers.all_pools().items() if pool.enabled]
    workers = "|".join(koku.naming.name(component_for(q)) for q in queues)
    pools = f'kube_deployment_status_replicas_available{{namespace="{ns}", deployment=~"{workers}"}}'
    return [
        DashboardRow(title=API_ROW, rank=10, panels=requests),
        DashboardRow(title=API_ROW, rank=19, panels=[available]),
        DashboardRow(
            title="Queues",
            rank=20,
            panels=[
                panel(
                    "Celery backlog per queue",
                    "short",
                    [(f'{recording_rule(q)}{{namespace="{ns}"}}', q) for q in queues],
                ),
                panel("Workers available per pool", "short", [(f"sum by (deployment) ({pools})", "{{deployment}}")]),
            ],
        ),
    ]
