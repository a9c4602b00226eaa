"""Kruize: the recommendation engine ROS feeds, with its partition maintenance.

Kruize reads the database location from a JSON file (``DB_CONFIG_FILE``) and lets env vars with
the same lower-case key override it, so the file (a Secret) carries host, port and database
name, and the login reaches the pod only as Secret references. Partitions are created by an init
step before every start and expired ones dropped by a daily CronJob (``concurrencyPolicy:
Forbid``). Kruize runs in remote monitoring (``local`` false): ROS pushes the results over REST,
so Kruize sets up no datasource and reaches only its database. It gets no ServiceAccount token
and no RBAC: with ``monitoringendpoint`` set it never calls the Kubernetes API.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import constructs

from ..core.emit import api_object
from ..core.kinds import SECRET
from ..core.pod import Container, Mount, Port, Probe, SecretFiles
from ..core.tree import Part
from ..core.workload import CronJobKind, DeploymentKind, JobKind
from .env import KRUIZE_DB_FILE, KRUIZE_PORT, RosRole
from .tier import RosTier

BIN = "/home/autotune/app/target/bin"
CONFIG_KEY = PurePosixPath(KRUIZE_DB_FILE).name


class KruizeEngine(Part):
    """``<release>-kruize`` (Deployment and Service), its config Secret and the partition CronJob."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: RosTier) -> None:
        super().__init__(scope, id)
        values = tier.values
        kruize, naming = values.ros.kruize, tier.kruize
        db = tier.release.connections.database
        login = db.logins["kruize"]
        config = naming.name("kruize-config")
        document = {"database": {"hostname": db.host, "port": db.port, "name": login.database}}
        api_object(
            self,
            "Config",
            kind=SECRET,
            name=config,
            labels=naming.labels("kruize-config"),
            body={"stringData": {CONFIG_KEY: json.dumps(document, indent=2, sort_keys=True) + "\n"}},
        )
        tier.release.references.provide("Secret", config, frozenset({CONFIG_KEY}))
        mount = Mount(
            name="kruize-config",
            path=str(PurePosixPath(KRUIZE_DB_FILE).parent),
            source=SecretFiles(secret_name=config, items={CONFIG_KEY: CONFIG_KEY}),
        )
        image = values.images.kruize.ref
        job_resources = kruize.partitions.resources

        def partition_step(program: str, name: str | None = None) -> Container:
            return Container(
                name=name, image=image, resources=job_resources, command=[f"{BIN}/{program}"], mounts=[mount]
            )

        # /metrics is on the unauthenticated API port: scraping it opens the API to Prometheus' namespace.
        metrics = "/metrics" if values.monitoring.service_monitors.kruize else None
        inits = []
        if kruize.partitions.create:
            step = tier.pod_container(self, RosRole.KRUIZE_JOB, partition_step("CreatePartition", "create-partitions"))
            inits.append(step)
        tier.workload(
            self,
            "Server",
            role=RosRole.KRUIZE,
            component="kruize",
            container=Container(
                image=image,
                resources=kruize.resources,
                ports=[Port(name="http", container_port=KRUIZE_PORT, metrics_path=metrics)],
                mounts=[mount],
                startup=Probe.http("/health", "http", failure_threshold=30),
                liveness=Probe.http("/health", "http", timeout_seconds=5),
                readiness=Probe.http("/listPerformanceProfiles", "http", timeout_seconds=5),
            ),
            init_containers=inits,
            controller=DeploymentKind(replicas=kruize.replicas),
            termination_grace_period_seconds=60,
            component_values=kruize,
            talks_to=[db],
        )
        if kruize.partitions.delete:
            tier.workload(
                self,
                "PartitionCleaner",
                role=RosRole.KRUIZE_JOB,
                component="kruize-partitions",
                container=partition_step("RetentionPartition"),
                controller=CronJobKind(
                    schedule=kruize.partitions.schedule, job=JobKind(backoff_limit=2, active_deadline_seconds=3600)
                ),
                component_values=kruize.partitions,
                talks_to=[db],
            )
