"""The ROS tier's declaration: its chart, credentials, Kafka use, the recommendations and upload
routes of the front door, its dashboard rows and the ROS env table for the docs."""

from __future__ import annotations

from collections.abc import Iterator

from ..core.tier import ChartSpec, EnvDoc, FrontDoorRoute, TierSpec
from ..release import Release
from ..values.cost_management import UPLOAD_ROUTE as UPLOAD_PREFIX
from .chart import RosChart
from .credentials import ros_kafka_clients, ros_secret_plans
from .dashboard import dashboard_rows
from .env import API_PORT, INGRESS_PORT, ROS_ENV
from .names import API_COMPONENT, INGRESS_COMPONENT
from .tier import RosTier

RECOMMENDATIONS = "/v1/recommendations/"
"""Under the Cost Management API prefix, where clients ask ROS for recommendations (Koku's path)."""


def _routes(release: Release) -> list[FrontDoorRoute]:
    """The ROS API under the Cost Management prefix (it also takes service-account tokens when
    ``edge.auth.tokenReview`` is on) and, in ROS-only mode, the upload ingress."""
    values = release.values
    tier = RosTier(release=release)
    recommendations = FrontDoorRoute(
        name="recommendations",
        upstream="ros-api",
        prefix=f"{values.cost_management.api.path_prefix}{RECOMMENDATIONS}",
        component=API_COMPONENT,
        service=tier.backend.name(API_COMPONENT),
        port=API_PORT,
        service_account_tokens=True,
    )
    if values.cost_management.enabled:  # Koku's upload service takes the uploads
        return [recommendations]
    upload = FrontDoorRoute(
        name="upload",
        upstream="upload",
        prefix=UPLOAD_PREFIX,
        component=INGRESS_COMPONENT,
        service=tier.ingress.name(INGRESS_COMPONENT),
        port=INGRESS_PORT,
    )
    return [recommendations, upload]


def _next_steps(release: Release) -> list[str]:
    """ROS-only mode: the metrics operator uploads straight to insights-ros-ingress."""
    if release.values.cost_management.enabled:
        return []
    return [
        "Point each cluster's metrics operator at the upload route (spec.upload.ingress_path "
        "/api/ingress/v1/upload) with spec.source.create_source false: ROS-only mode has no source registry "
        "outside the cluster. insights-ros-ingress keeps only the ROS CSVs and files every upload under org_id "
        "1 (or unknown), whoever sends it: ROS-only serves one tenant."
    ]


def _env_rows() -> Iterator[tuple[str, str, str, str]]:
    for entry in ROS_ENV.entries:
        yield entry.name, entry.source, entry.kind, ", ".join(sorted(r.value for r in entry.roles))


TIER: TierSpec[Release] = TierSpec(
    name="ros",
    enabled=lambda values: values.ros.enabled,
    charts=(ChartSpec(order=50, name="ros", build=lambda scope, id, release: RosChart(scope, id, release=release)),),
    secret_plans=ros_secret_plans,
    kafka_clients=ros_kafka_clients,
    routes=_routes,
    next_steps=_next_steps,
    dashboard=dashboard_rows,
    env_docs=(
        EnvDoc(
            title="ROS environment variables",
            intro="What ros-ocp-backend, Kruize, sources-api-go and insights-ros-ingress read, and which\n"
            "containers get it. `SERVICE_NAME`, `DB_HOST` (the API may read from a replica),\n"
            "`KAFKA_CONSUMER_GROUP_ID`, `KAFKA_AUTO_COMMIT` and the Sources `LOG_LEVEL` are set per\n"
            "component; with a SASL Kafka the consumers also get `ACG_CONFIG` (a Clowder file written at\n"
            "pod start).",
            column="containers",
            rows=_env_rows,
        ),
    ),
)
