"""Koku's other long-running services: the upload listener and masu.

The listener consumes Kafka (probes on the ``metrics`` probe server) and keeps its downloads in
the ``/var/tmp/masu`` scratch volume, as in Koku; masu is a Gunicorn app on the ``private`` port,
switched by ``MASU=true``. Koku's sources-listener and sources-client belong to the SaaS Sources
API: on-prem Koku serves sources from its API and announces deletions from api-writes.
"""

from __future__ import annotations

from collections.abc import Sequence

import constructs

from ..core.conversations import Conversation, InMessages
from ..core.pod import Container, EmptyDir, EnvVar, Mount, Port, Probe, literal, resource_ref
from ..core.tree import Part
from ..core.workload import DeploymentKind
from ..values import KokuService
from .env import KokuRole
from .tier import METRICS_PORT, STATUS_PATH, WEB_PORT, KokuPod, KokuTier, status_probes
from .workers import MASU_TMP, worker_probes

PRIVATE_PORT = 10000
"""The Service port named ``private`` (Clowder's private port); Gunicorn itself binds WEB_PORT
whenever Clowder is off, MASU and SOURCES included (koku/gunicorn_conf.py)."""


class KokuServices(Part):
    """Whichever of listener and masu are enabled."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier) -> None:
        super().__init__(scope, id)
        self.tier = tier
        services, stores = tier.values.cost_management.services, tier.stores
        if services.listener.enabled:
            self._consumer(
                "Listener",
                KokuRole.LISTENER,
                services.listener,
                "listener",
                # Each upload's presigned URL points at the upload service's storage endpoint.
                talks_to=[
                    stores.database,
                    stores.cache,
                    stores.kafka,
                    tier.koku_bucket,
                    InMessages(stores.object_storage.buckets["upload"]),
                ],
            )
        if services.masu.enabled:
            cpu = resource_ref("POD_CPU_LIMIT", "limits.cpu", container=tier.naming.name(KokuRole.MASU))
            self._gunicorn(
                "Masu",
                KokuRole.MASU,
                services.masu,
                [literal("MASU", "true"), cpu],
                liveness_timeout=15,
                talks_to=[stores.database, stores.cache, stores.kafka, tier.koku_bucket, *tier.rbac],
            )

    def _metrics(self) -> Port:
        """Koku's probe server's port: on the Service only when a ServiceMonitor scrapes it (the
        listener then gets a Service of its own: nothing else calls it)."""
        expose = self.tier.release.monitoring.service_monitors
        return Port(name="metrics", container_port=METRICS_PORT, expose=expose, metrics_path="/metrics")

    def _consumer(
        self,
        id: str,
        component: KokuRole,
        spec: KokuService,
        command: str,
        *,
        talks_to: Sequence[Conversation],
    ) -> None:
        self.tier.workload(
            self,
            id,
            component=component.value,
            pod=KokuPod(roles=[component]),
            component_values=spec,
            controller=DeploymentKind(replicas=spec.replicas),
            container=Container(
                image=self.tier.image,
                resources=spec.resources,
                command=["python", "koku/manage.py", command],
                mounts=[Mount(name="masu", path=MASU_TMP, source=EmptyDir())],
                ports=[self._metrics()],
                **worker_probes(),
            ),
            talks_to=talks_to,
        )

    def _gunicorn(
        self,
        id: str,
        component: KokuRole,
        spec: KokuService,
        env: list[EnvVar],
        *,
        liveness_timeout: int,
        talks_to: Sequence[Conversation],
    ) -> None:
        tier = self.tier
        prefix = tier.values.cost_management.api.path_prefix
        tier.workload(
            self,
            id,
            component=component.value,
            pod=KokuPod(roles=[component]),
            component_values=spec,
            controller=DeploymentKind(replicas=spec.replicas),
            container=Container(
                image=tier.image,
                resources=spec.resources,
                env=env,
                ports=[Port(name="private", container_port=WEB_PORT, service_port=PRIVATE_PORT), self._metrics()],
                **status_probes(
                    "private",
                    prefix,
                    liveness=Probe.http(
                        f"{STATUS_PATH}?liveness",
                        "private",
                        prefix=prefix,
                        period_seconds=20,
                        timeout_seconds=liveness_timeout,
                        failure_threshold=5,
                    ),
                ),
            ),
            talks_to=talks_to,
        )
