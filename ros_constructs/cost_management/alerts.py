"""``<release>-koku-alerts``: the Koku API's error ratio and the ingest pipeline's errors.

Every Koku pod serves prometheus_client's multiprocess registry on ``metrics``
(koku/koku/probe_server.py): django-prometheus' request counters from the Gunicorn workers, and
the counters of koku/masu/prometheus_stats.py (a Counter named ``x`` is exported as ``x_total``).
"""

from __future__ import annotations

import constructs

from ..core.prometheus import Alert, prometheus_rule
from ..core.tree import Part
from .tier import KokuTier

ERROR_RATIO = 0.05
"""Share of 5xx responses an API Deployment may serve for 10 minutes before it alerts."""


def api_jobs(tier: KokuTier) -> str:
    """A regex of the API Services, which are the ``job`` of their series."""
    return "|".join(sorted(set(tier.api_services)))


def koku_alerts(tier: KokuTier) -> list[tuple[str, list[Alert]]]:
    ns = tier.values.namespace
    responses = f'django_http_responses_total_by_status_total{{namespace="{ns}", job=~"{api_jobs(tier)}"'
    api = [
        Alert(
            name="KokuApiErrors",
            expr=f'sum by (namespace, job) (rate({responses}, status=~"5.."}}[5m]))'
            f" / sum by (namespace, job) (rate({responses}}}[5m])) > {ERROR_RATIO}",
            duration="10m",
            severity="warning",
            summary="{{ $labels.job }} answers more than 5% of its requests with a server error",
            description="{{ $value | humanizePercentage }} of the responses of {{ $labels.job }} were 5xx "
            "over the last 5 minutes.",
        ),
    ]
    ingest = [
        Alert(
            name="KokuReportDownloadErrors",
            expr="sum by (namespace, provider_type) "
            f'(increase(report_file_download_error_count_total{{namespace="{ns}"}}[1h])) > 0',
            duration="5m",
            severity="warning",
            summary="Cost reports of {{ $labels.provider_type }} sources fail to download",
            description="Report downloads of {{ $labels.provider_type }} sources failed in the last hour; "
            "their data stops being updated.",
        ),
        Alert(
            name="KokuKafkaConnectionErrors",
            expr=f'sum by (namespace, job) (increase(kafka_connection_errors_total{{namespace="{ns}"}}[10m])) > 0',
            duration="15m",
            severity="warning",
            summary="{{ $labels.job }} keeps failing to reach Kafka",
            description="Kafka connection errors for 15 minutes: uploads and source events are not consumed.",
        ),
    ]
    return [("koku-api.alerts", api), ("koku-ingest.alerts", ingest)]


class KokuAlerts(Part):
    """The Koku API and ingest alert families, in one PrometheusRule."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier) -> None:
        super().__init__(scope, id)
        plan = tier.release.monitoring
        prometheus_rule(
            self,
            "Rule",
            name=tier.naming.name("koku-alerts"),
            labels={**plan.labels, **tier.naming.labels("koku-alerts")},
            groups=[(group, [a.rule(plan.runbook) for a in alerts]) for group, alerts in koku_alerts(tier)],
        )
