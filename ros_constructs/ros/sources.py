"""sources-api-go: the source registry ROS's housekeeper asks which application type is Cost
Management's. It migrates its own schema on start (under a lock in the cache), so several
replicas may start together."""

from __future__ import annotations

import constructs

from ..core.pod import Container, Port, Probe, literal
from ..core.tree import Part
from ..core.workload import DeploymentKind
from .env import METRICS_PORT, SOURCES_PORT, RosRole
from .names import SOURCES_COMPONENT
from .tier import RosTier


class SourcesApi(Part):
    """``<release>-sources-api`` Deployment and Service."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: RosTier) -> None:
        super().__init__(scope, id)
        sources = tier.values.ros.sources
        tier.workload(
            self,
            "Api",
            role=RosRole.SOURCES,
            component=SOURCES_COMPONENT,
            container=Container(
                image=tier.values.images.sources.ref,
                resources=sources.resources,
                env=[literal("LOG_LEVEL", sources.log_level)],
                ports=[
                    Port(name="http", container_port=SOURCES_PORT),
                    Port(name="metrics", container_port=METRICS_PORT, metrics_path="/metrics"),
                ],
                startup=Probe.http("/health", "http", failure_threshold=30),
                liveness=Probe.http("/health", "http", timeout_seconds=5),
                readiness=Probe.http("/health", "http", timeout_seconds=5),
            ),
            controller=DeploymentKind(replicas=sources.replicas),
            component_values=sources,
            talks_to=[tier.stores.database, tier.stores.cache, tier.stores.kafka],
        )
