"""The ROS rows of the release's Grafana dashboard: the ROS API's requests beside Koku's, and ROS
processing (failing Kruize calls, rejected uploads, CPU and memory of the backend and Kruize)."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.grafana import panel
from ..core.inventory import PodOwner
from ..core.naming import NAME_LABEL
from ..core.tier import DashboardRow
from ..release import Release
from .names import API_COMPONENT, BACKEND_APP, KRUIZE_APP


def dashboard_rows(release: Release, owners: Sequence[PodOwner]) -> list[DashboardRow]:
    """``owners``: the output's pod owners; each main container is named after its Deployment."""
    values, ns = release.values, release.namespace
    api = release.naming(BACKEND_APP, values.images.ros.version).name(API_COMPONENT)
    requests = f'rosocp_requests_total{{namespace="{ns}", job="{api}"}}'
    ros = (BACKEND_APP, KRUIZE_APP)
    containers = "|".join(o.name for o in owners if o.kind == "Deployment" and o.labels[NAME_LABEL] in ros)
    cpu = f'container_cpu_usage_seconds_total{{namespace="{ns}", container=~"{containers}"}}'
    memory = f'container_memory_working_set_bytes{{namespace="{ns}", container=~"{containers}"}}'
    processing = [
        panel(
            "Failing Kruize calls",
            "reqps",
            [
                (
                    f'sum by (job, path) (rate(rosocp_kruize_api_exception_total{{namespace="{ns}"}}[5m]))',
                    "{{job}} {{path}}",
                )
            ],
        ),
        panel(
            "Rejected uploads",
            "short",
            [
                (f'sum(increase(rosocp_invalid_csv_total{{namespace="{ns}"}}[1h]))', "invalid CSV files per hour"),
                (f'sum(increase(rosocp_invalid_datapoints_total{{namespace="{ns}"}}[1h]))', "invalid rows per hour"),
            ],
        ),
        panel("ROS and Kruize CPU", "cores", [(f"sum by (container) (rate({cpu}[5m]))", "{{container}}")]),
        panel("ROS and Kruize memory", "bytes", [(f"sum by (container) ({memory})", "{{container}}")]),
    ]
    return [
        DashboardRow(
            title="API tier",
            rank=11,
            panels=[panel("ROS API requests", "reqps", [(f"sum by (code) (rate({requests}[5m]))", "{{code}}")])],
        ),
        DashboardRow(title="ROS processing", rank=30, panels=processing),
    ]
