"""The Cost Management API tier (Koku ``api-reads`` / ``api-writes``, the router, migrations).

``mode: split`` runs two Gunicorn Deployments of the same image: reads (autoscaled, optionally
on a PostgreSQL read replica) and writes. A router sends GET and HEAD to reads and every other
method to writes, and ``<prefix>/v1/recommendations/`` to the ROS API. ``mode: unified`` runs
one ``api`` Deployment behind the same router, like today's chart.

Migrations run as a Job whose name carries a hash of its spec (Workload does this for every
Job), so ``kubectl apply`` starts it once per change of image or configuration and re-applying is
a no-op. Koku's own alternative, an init container
on api-writes, runs once per writes pod: N concurrent migration runs per rollout, and a writes
scale-up reruns them.
"""

from __future__ import annotations

import constructs

from ..core.pod import Container, EnvVar, Port, Probe, literal, resource_ref
from ..core.tree import Part
from ..core.workload import DeploymentKind, JobKind, Workload
from ..values import ApiDeployment
from .env import KokuRole, writes_component
from .gateway import ApiHttpRoute
from .router import NginxRouter, Upstreams
from .tier import METRICS_PORT, WEB_PORT, KokuPod, KokuTier, status_probes

DRAIN_SECONDS = 10
"""preStop pause so endpoints and the router stop sending before Gunicorn gets SIGTERM."""
MIGRATIONS_SCRIPT = 'exec "$APP_ROOT/scripts/run_migrations.sh"'
"""The image's migration script under the image's ``APP_ROOT``, quoted: the value is only ever a path."""
GUNICORN_GRACEFUL_TIMEOUT = 180
"""Koku's gunicorn_conf default: how long in-flight requests may take after SIGTERM."""


class CostManagementApi(Part):
    """The API Deployments, the router in front of them, and the migration Job."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier) -> None:
        super().__init__(scope, id)
        self.tier = tier
        api = tier.values.cost_management.api
        writes = writes_component(tier.values)
        if api.mode == "split":
            self._api_deployment("Reads", "api-reads", api.reads, reads=True)
            self._api_deployment("Writes", writes, api.writes, reads=False)
        else:
            self._api_deployment("Unified", writes, api.unified, reads=False)
        reads, writes = tier.api_services
        ros_api, ros_api_port = tier.recommendations
        upstreams = Upstreams(reads=reads, writes=writes, port=WEB_PORT, ros_api=ros_api, ros_api_port=ros_api_port)
        if api.router.type == "nginx":
            NginxRouter(self, "Router", tier=tier, upstreams=upstreams)
        else:  # the Gateway's data plane reaches the API pods directly
            ApiHttpRoute(self, "Route", tier=tier, upstreams=upstreams)
        if api.migrations.enabled:
            self._migrations()

    def _api_deployment(self, id: str, component: str, spec: ApiDeployment, *, reads: bool) -> Workload:
        tier = self.tier
        api = tier.values.cost_management.api
        prefix = api.path_prefix
        env: list[EnvVar] = [
            literal("GUNICORN_WORKERS", spec.gunicorn.workers),
            literal("GUNICORN_THREADS", spec.gunicorn.threads),
            resource_ref("POD_CPU_LIMIT", "limits.cpu", container=tier.naming.name(component)),
        ]
        replica, stores = api.read_replica, tier.stores
        on_replica = reads and replica.enabled
        if on_replica:
            host = replica.host or stores.database.read_host
            assert host, "values require a replica host unless CloudNativePG provides one"
            env += [literal("POSTGRES_SQL_SERVICE_HOST", host), literal("POSTGRES_SQL_SERVICE_PORT", replica.port)]
        return tier.workload(
            self,
            id,
            component=component,
            pod=KokuPod(roles=[KokuRole.API_READS if reads else KokuRole.API_WRITES]),
            component_values=spec,
            controller=DeploymentKind(replicas=spec.replicas, autoscaling=spec.autoscaling),
            termination_grace_period_seconds=DRAIN_SECONDS + GUNICORN_GRACEFUL_TIMEOUT + 10,
            container=Container(
                image=tier.image,
                resources=spec.resources,
                env=env,
                pre_stop=["sleep", str(DRAIN_SECONDS)],
                ports=[
                    Port(name="web", container_port=WEB_PORT),
                    Port(name="metrics", container_port=METRICS_PORT, metrics_path="/metrics"),
                ],
                # Liveness asks only the in-process probe server: a database outage never restarts API pods.
                **status_probes(
                    "web",
                    prefix,
                    liveness=Probe.http(
                        "/livez", "metrics", period_seconds=20, timeout_seconds=10, failure_threshold=5
                    ),
                ),
            ),
            # Koku's shared env names the primary: the replica comes on top. Writes announce deleted sources.
            talks_to=[
                stores.database,
                *([stores.database.replica(replica.host, replica.port)] if on_replica else []),
                *([] if reads else [stores.kafka]),
                stores.cache,
                tier.koku_bucket,
                *tier.rbac,
            ],
        )

    def _migrations(self) -> None:
        tier = self.tier
        values = tier.values
        migrations = values.cost_management.api.migrations
        tier.workload(
            self,
            "Migrations",
            component="db-migrate",
            pod=KokuPod(roles=[KokuRole.MIGRATIONS]),
            component_values=migrations,
            controller=JobKind(
                backoff_limit=migrations.backoff_limit, active_deadline_seconds=migrations.active_deadline_seconds
            ),
            container=Container(
                image=tier.image,
                resources=migrations.resources,
                command=["/bin/bash", "-c", MIGRATIONS_SCRIPT],
                env=[literal("APPLICATION_NAME", "koku_db_migration")],
            ),
            talks_to=[tier.stores.database],
        )
