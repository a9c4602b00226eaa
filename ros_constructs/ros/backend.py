"""The ROS-OCP backend: one image, four Deployments, the partition-cleaner CronJob and the
migration Job.

Ordering without sleeps: migrations run once per rollout in a Job named after its spec (the
image and the database settings), retried by the Job's back-off while the database comes up.
The API starts on a startup probe. The processor and poller call Kruize when they start and the
housekeeper calls the Sources API, so each waits for that one dependency in a bounded init step
(curl's own retries, five minutes at most) and otherwise fails visibly.
"""

from __future__ import annotations

from dataclasses import replace

import constructs

from ..core.conversations import Conversation, InMessages, ServiceName
from ..core.pod import Container, EnvVar, Port, Probe, ProbeSet, literal
from ..core.tree import Part
from ..core.workload import CronJobKind, DeploymentKind, JobKind, Recreate
from ..values import resources
from ..values.ros import RosComponent
from . import clowder
from .credentials import housekeeper_on
from .env import API_PORT, KRUIZE_PORT, METRICS_PORT, RosRole, db_host, db_store
from .names import API_COMPONENT, HOUSEKEEPER_COMPONENT, POLLER_COMPONENT, PROCESSOR_COMPONENT
from .tier import RosTier

BINARY = "./rosocp"
"""The backend binary in the image's working directory."""
WAIT_SECONDS = 300
WAIT_RESOURCES = resources("10m", "16Mi", cpu_limit=None, memory_limit="32Mi")
NO_PROBE = "a Kafka consumer without an HTTP server; a fatal error exits the process and the kubelet restarts it"


def wait_for(image: str, what: str, url: str) -> Container:
    """A bounded init wait: curl retries ``url`` until it answers, for ``WAIT_SECONDS`` at most."""
    return Container(
        name=f"wait-for-{what}",
        image=image,
        resources=WAIT_RESOURCES,
        command=[
            "curl",
            "--fail",
            "--silent",
            "--show-error",
            "--output",
            "/dev/null",
            "--connect-timeout",
            "5",
            "--retry-all-errors",
            "--retry",
            str(WAIT_SECONDS // 5),
            "--retry-delay",
            "5",
            "--retry-max-time",
            str(WAIT_SECONDS),
            url,
        ],
    )


class RosBackend(Part):
    """``rosocp-api``, ``-processor``, ``-recommendation-poller``, ``-housekeeper``, the
    partition cleaner and the migration Job."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: RosTier) -> None:
        super().__init__(scope, id)
        self.tier = tier
        ros, stores = tier.values.ros, tier.stores
        kruize_url = f"http://{tier.kruize_host}:{KRUIZE_PORT}/health"
        metrics = Port(name="metrics", container_port=METRICS_PORT, metrics_path="/metrics")
        metrics_probes: ProbeSet = {
            "startup": Probe.http("/metrics", "metrics", failure_threshold=30),
            "liveness": Probe.http("/metrics", "metrics", timeout_seconds=5),
            "readiness": Probe.http("/metrics", "metrics", timeout_seconds=5),
        }

        api = ros.api
        self._deployment(
            "Api",
            RosRole.API,
            API_COMPONENT,
            ["start", "api"],
            api,
            DeploymentKind(replicas=api.replicas, autoscaling=api.autoscaling),
            ports=[Port(name="http", container_port=API_PORT), metrics],
            probes={
                "startup": Probe.http("/status", "http", failure_threshold=30),
                "liveness": Probe.http("/status", "http", timeout_seconds=5),
                "readiness": Probe.http("/status", "http", timeout_seconds=5),
            },
            talks_to=[db_store(tier, RosRole.API)],
        )
        self._deployment(
            "Processor",
            RosRole.PROCESSOR,
            PROCESSOR_COMPONENT,
            ["start", "processor"],
            ros.processor,
            DeploymentKind(replicas=ros.processor.replicas),
            ports=[metrics],
            probes=metrics_probes,
            waits=[wait_for(tier.values.images.ros.ref, "kruize", kruize_url)],
            extra=self._consumer_env(ros.processor.consumer_group, ros.processor.auto_commit),
            # The uploads' presigned URLs (Koku's listener, the upload ingress) come in the Kafka messages.
            talks_to=[stores.database, tier.kruize_service, stores.kafka, InMessages(stores.object_storage)],
        )
        poller = ros.recommendation_poller
        self._deployment(
            "RecommendationPoller",
            RosRole.POLLER,
            POLLER_COMPONENT,
            ["start", "recommendation-poller"],
            poller,
            DeploymentKind(replicas=poller.replicas),
            ports=[metrics],
            probes=metrics_probes,
            waits=[wait_for(tier.values.images.ros.ref, "kruize", kruize_url)],
            extra=self._consumer_env(poller.consumer_group, poller.auto_commit),
            talks_to=[stores.database, tier.kruize_service, stores.kafka],
        )
        if housekeeper_on(tier.values):
            sources = tier.sources_api
            sources_url = f"{sources.url(tier.values.namespace)}{sources.health}"
            self._deployment(
                "Housekeeper",
                RosRole.HOUSEKEEPER,
                HOUSEKEEPER_COMPONENT,
                ["start", "housekeeper", "--sources"],
                ros.housekeeper,
                DeploymentKind(replicas=1, strategy=Recreate(), spread=False),
                waits=[wait_for(tier.values.images.ros.ref, "sources", sources_url)],
                extra=self._consumer_env(ros.housekeeper.consumer_group, True),
                scanner_exceptions=dict.fromkeys(("CKV_K8S_8", "CKV_K8S_9"), NO_PROBE),
                talks_to=[stores.database, tier.kruize_service, ServiceName(sources.service), stores.kafka],
            )
        if ros.partition_cleaner.enabled:
            cleaner = ros.partition_cleaner
            self._deployment(
                "PartitionCleaner",
                RosRole.PARTITIONS,
                "rosocp-partitions",
                ["start", "housekeeper", "--partitions"],
                cleaner,
                CronJobKind(schedule=cleaner.schedule, job=JobKind(backoff_limit=2, active_deadline_seconds=3600)),
                talks_to=[stores.database],
            )
        migrations = ros.migrations
        self._deployment(
            "Migrations",
            RosRole.MIGRATE,
            "rosocp-migrate",
            ["db", "migrate", "up"],
            migrations,
            JobKind(backoff_limit=migrations.backoff_limit, active_deadline_seconds=migrations.active_deadline_seconds),
            talks_to=[stores.database],
        )

    @staticmethod
    def _consumer_env(group: str, auto_commit: bool) -> list[EnvVar]:
        return [literal("KAFKA_CONSUMER_GROUP_ID", group), literal("KAFKA_AUTO_COMMIT", str(auto_commit).lower())]

    def _deployment(
        self,
        id: str,
        role: RosRole,
        component: str,
        args: list[str],
        spec: RosComponent,
        controller: DeploymentKind | CronJobKind | JobKind,
        *,
        ports: list[Port] | None = None,
        probes: ProbeSet | None = None,
        waits: list[Container] | None = None,
        extra: list[EnvVar] | None = None,
        scanner_exceptions: dict[str, str] | None = None,
        talks_to: list[Conversation],
    ) -> None:
        """One backend workload with the settings of its values block ``spec``; Kafka consumers get the
        Clowder file when Kafka is secured."""
        tier = self.tier
        image = tier.values.images.ros.ref
        own_env = [literal("SERVICE_NAME", component), literal("DB_HOST", db_host(tier, role)), *(extra or [])]
        container = Container(
            image=image,
            resources=spec.resources,
            command=[BINARY],
            args=args,
            ports=ports or [],
            env=own_env,
            **(probes or ProbeSet()),  # type: ignore[typeddict-item]
        )
        inits = list(waits or [])
        kafka = tier.release.connections.kafka
        if role in (RosRole.PROCESSOR, RosRole.POLLER, RosRole.HOUSEKEEPER) and clowder.clowder_needed(kafka):
            render = tier.pod_container(self, role, clowder.render_container(image, kafka, own_env))
            inits.append(render)
            container = replace(
                container,
                env=[*own_env, literal("ACG_CONFIG", clowder.CONFIG_FILE)],
                mounts=[replace(clowder.config_mount(), read_only=True)],
            )
        tier.workload(
            self,
            id,
            role=role,
            component=component,
            container=container,
            init_containers=inits,
            controller=controller,
            scanner_exceptions=scanner_exceptions,
            component_values=spec,
            talks_to=talks_to,
        )
