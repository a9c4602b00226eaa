"""``<release>-ros-alerts``: the ROS API's error ratio, failing Kruize calls and rejected uploads.

ros-ocp-backend registers its series with client_golang's default registry: the API's
``rosocp_requests_total`` comes from echo-contrib's Prometheus middleware with subsystem
``rosocp`` (internal/api/server.go), ``rosocp_kruize_api_exception_total`` from
internal/utils/kruize/metrics.go and ``rosocp_invalid_csv_total`` from internal/services/metrics.go.
Kruize's own timers changed names between releases (``kruizeAPI_seconds_count``, then
``kruizeAPI_count``), so Kruize is watched through ``up`` and its Deployment instead.
"""

from __future__ import annotations

import constructs

from ..core.prometheus import Alert, prometheus_rule
from ..core.tree import Part
from .names import API_COMPONENT
from .tier import RosTier

ERROR_RATIO = 0.05
"""Share of 5xx responses the ROS API may serve for 10 minutes before it alerts."""


def ros_alerts(tier: RosTier) -> list[Alert]:
    ns = tier.values.namespace
    requests = f'rosocp_requests_total{{namespace="{ns}", job="{tier.backend.name(API_COMPONENT)}"'
    return [
        Alert(
            name="RosApiErrors",
            expr=f'sum by (namespace, job) (rate({requests}, code=~"5.."}}[5m]))'
            f" / sum by (namespace, job) (rate({requests}}}[5m])) > {ERROR_RATIO}",
            duration="10m",
            severity="warning",
            summary="The ROS API answers more than 5% of its requests with a server error",
            description="{{ $value | humanizePercentage }} of the responses of {{ $labels.job }} were 5xx "
            "over the last 5 minutes.",
        ),
        Alert(
            name="RosKruizeApiErrors",
            expr=f'sum by (namespace, job, path) (rate(rosocp_kruize_api_exception_total{{namespace="{ns}"}}[5m])) > 0',
            duration="15m",
            severity="warning",
            summary="{{ $labels.job }} keeps failing to call Kruize's {{ $labels.path }}",
            description="Calls to Kruize have failed for 15 minutes: no new recommendations are made.",
        ),
        Alert(
            name="RosInvalidUploads",
            expr=f'sum by (namespace) (increase(rosocp_invalid_csv_total{{namespace="{ns}"}}[1h])) > 0',
            duration="5m",
            severity="info",
            summary="ROS rejected uploaded usage files",
            description="Uploaded CSV files were invalid in the last hour; "
            "the clusters that sent them get no recommendations.",
        ),
    ]


class RosAlerts(Part):
    """The ROS alert family, in one PrometheusRule."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: RosTier) -> None:
        super().__init__(scope, id)
        plan = tier.release.monitoring
        prometheus_rule(
            self,
            "Rule",
            name=tier.backend.name("ros-alerts"),
            labels={**plan.labels, **tier.backend.labels("ros-alerts")},
            groups=[("ros.alerts", [a.rule(plan.runbook) for a in ros_alerts(tier)])],
        )
