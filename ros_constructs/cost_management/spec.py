"""The Cost Management tier's declaration: its chart, credentials, Kafka use, prerequisites, the
API's front-door route, its dashboard rows and the Koku env table for the docs."""

from __future__ import annotations

from collections.abc import Iterator

from ..core.tier import ChartSpec, Endpoint, EnvDoc, FrontDoorRoute, TierSpec
from ..release import Release
from ..values.cost_management import UPLOAD_ROUTE as UPLOAD_PREFIX
from .chart import CostManagementChart
from .credentials import koku_prerequisites, koku_secret_plans
from .dashboard import dashboard_rows
from .env import KOKU_ENV, KokuRole, writes_component
from .messaging import koku_kafka_client, upload_kafka_client
from .router import COMPONENT as ROUTER
from .tier import STATUS_PATH, WEB_PORT, KokuTier
from .upload_env import COMPONENT as UPLOAD
from .upload_env import INGRESS_ENV
from .upload_env import WEB_PORT as UPLOAD_PORT


def _routes(release: Release) -> list[FrontDoorRoute]:
    """``<prefix>/``: the nginx router, or with Gateway API the writes API (the tier's own
    HTTPRoute then splits methods and the edge does not expose it); ``/api/ingress/``: the upload
    service, when Cost Management is on."""
    cm = release.values.cost_management
    api, tier = cm.api, KokuTier(release=release)
    nginx = api.router.type == "nginx"
    component = ROUTER if nginx else writes_component(release.values)
    routes = [
        FrontDoorRoute(
            name="api",
            upstream="cost-management",
            prefix=f"{api.path_prefix}/",
            component=component,
            service=tier.naming.name(component),
            port=WEB_PORT,
            exposed=nginx,
        )
    ]
    if cm.enabled:
        routes.append(
            FrontDoorRoute(
                name="upload",
                upstream="upload",
                prefix=UPLOAD_PREFIX,
                component=UPLOAD,
                service=tier.upload.name(UPLOAD),
                port=UPLOAD_PORT,
            )
        )
    return routes


def _endpoints(release: Release) -> list[Endpoint]:
    """On-prem Koku is the sources API (what ROS's housekeeper asks): GETs, so the reads API."""
    tier, prefix = KokuTier(release=release), release.values.cost_management.api.path_prefix
    reads, _ = tier.api_services
    return [
        Endpoint(name="sources", service=reads, port=WEB_PORT, prefix=f"{prefix}/v1", health=f"{prefix}{STATUS_PATH}")
    ]


def _registration_steps(release: Release) -> list[str]:
    """How a cluster is registered: the metrics operator creates its source in Koku's sources API and
    uploads through the front door (upstream-contracts section 5)."""
    edge, prefix = release.values.edge, release.values.cost_management.api.path_prefix
    front = f"https://{edge.exposure.host}" if edge.exposure.host else "the front door's URL (edge.exposure.host)"
    steps = [
        "Register each cluster: install the Cost Management Metrics Operator in it and create a "
        f"CostManagementMetricsConfig with spec.api_url {front}, spec.upload.ingress_path /api/ingress/v1/upload, "
        f"spec.source.create_source true and spec.source.sources_path {prefix}/v1/ (on-prem Koku is the sources "
        "API), and authentication.type service-account with a client of your identity provider (token auth is "
        "refused for an api_url that is not Red Hat's). The operator creates the cluster's source, then uploads; "
        "Koku drops uploads from a cluster without a source.",
    ]
    if edge.auth.mode == "none":
        steps.append(
            "edge.auth.mode is none: nothing turns a caller's token into the x-rh-identity header, so the upload "
            "service answers 400 and Koku refuses the source calls. Set edge.auth (gateway or sidecars) with your "
            "issuer first."
        )
    return steps


def _env_rows() -> Iterator[tuple[str, str, str, str]]:
    for entry in KOKU_ENV.entries:
        roles = ", ".join(sorted(r.value if isinstance(r, KokuRole) else f"worker:{r.value}" for r in entry.roles))
        yield entry.name, entry.source, entry.kind, roles


def _upload_env_rows() -> Iterator[tuple[str, str, str, str]]:
    for entry in INGRESS_ENV.entries:
        yield entry.name, entry.source, entry.kind, UPLOAD


TIER: TierSpec[Release] = TierSpec(
    name="cost-management",
    enabled=lambda values: values.cost_management.enabled,
    charts=(
        ChartSpec(
            order=40,
            name="cost-management",
            build=lambda scope, id, release: CostManagementChart(scope, id, release=release),
        ),
    ),
    secret_plans=koku_secret_plans,
    kafka_clients=lambda values: [
        koku_kafka_client(values),
        *([upload_kafka_client()] if values.cost_management.enabled else []),
    ],
    prerequisites=lambda release: koku_prerequisites(release.values),
    next_steps=_registration_steps,
    routes=_routes,
    endpoints=_endpoints,
    dashboard=dashboard_rows,
    env_docs=(
        EnvDoc(
            title="Koku environment variables",
            intro="Which value sets each variable and which deployments get it (roles: `worker` is every pool,\n"
            "`worker:<family>` a queue family with its `_xl` and `_penalty` pools). Plain values reach\n"
            "containers through `envFrom` of their role's `<release>-<role>-env` ConfigMap; credentials only\n"
            "as Secret references.\n"
            "Per-deployment values (`GUNICORN_WORKERS`, `GUNICORN_THREADS`, `POD_CPU_LIMIT`, `WORKER_QUEUES`,\n"
            "`USE_READREPLICA`, `MASU`, `SOURCES`) are set by their constructs from the deployment's own values.",
            column="deployments",
            rows=_env_rows,
        ),
        EnvDoc(
            title="insights-ingress-go environment variables",
            intro="What the Cost Management upload service reads (viper, prefix `INGRESS_`), through `envFrom` of\n"
            "`<release>-ingress-env` and Secret references. On ODF `INGRESS_MINIOENDPOINT` is composed in the pod\n"
            "from the upload bucket claim's `BUCKET_HOST` and `BUCKET_PORT`.",
            column="containers",
            rows=_upload_env_rows,
        ),
    ),
)
