"""``RosTier``: what every ROS-tier construct shares, built once per release.

It names the four applications of the tier (the ROS backend, Kruize, the Sources API and the
upload ingress), builds their pods through ``Workload`` with env from :data:`ROS_ENV`
(``envFrom`` of generated ConfigMaps, Secret refs) and a ``checksum/config`` annotation over
exactly the values a pod consumes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import constructs

from ..core.conversations import Conversation, ServiceName
from ..core.env_config import env_from
from ..core.naming import Naming
from ..core.platform import Platform
from ..core.pod import Container, Mount
from ..core.workload import Controller, DeploymentKind, Workload, WorkloadProps
from ..data.connections import Connections
from ..edge.proxy import front_with_sidecar
from ..release import Release
from ..values import Values
from .env import BACKEND, ROS_ENV, RosRole
from .names import API_COMPONENT, BACKEND_APP, INGRESS_APP, KRUIZE_APP, SOURCES_APP, SOURCES_COMPONENT

SHARED_ENV = "rosocp-env"
"""The ConfigMap of what every ros-ocp-backend container gets."""


@dataclass(frozen=True, kw_only=True)
class RosTier:
    """The ROS tier of one release."""

    release: Release

    @property
    def values(self) -> Values:
        return self.release.values

    @property
    def platform(self) -> Platform:
        return self.release.platform

    @cached_property
    def backend(self) -> Naming:
        return self.release.naming(BACKEND_APP, self.values.images.ros.version)

    @cached_property
    def kruize(self) -> Naming:
        return self.release.naming(KRUIZE_APP, self.values.images.kruize.version)

    @cached_property
    def sources(self) -> Naming:
        return self.release.naming(SOURCES_APP, self.values.images.sources.version)

    @cached_property
    def ingress(self) -> Naming:
        return self.release.naming(INGRESS_APP, self.values.images.ros_ingress.version)

    @property
    def stores(self) -> Connections:
        return self.release.connections

    def _host(self, service: ServiceName) -> str:
        return f"{service.name}.{self.values.namespace}.svc"

    @property
    def kruize_service(self) -> ServiceName:
        """Kruize's Service (built after the backend pods that call it)."""
        return ServiceName(self.kruize.name("kruize"))

    @property
    def sources_service(self) -> ServiceName:
        """The Sources API's Service (built after the housekeeper that calls it)."""
        return ServiceName(self.sources.name(SOURCES_COMPONENT))

    @property
    def kruize_host(self) -> str:
        return self._host(self.kruize_service)

    @property
    def sources_host(self) -> str:
        return self._host(self.sources_service)

    @property
    def api_service(self) -> str:
        """The ROS API Service (the Cost Management router's recommendations upstream)."""
        return self.backend.name(API_COMPONENT)

    def naming_of(self, role: RosRole) -> Naming:
        if role in BACKEND:
            return self.backend
        if role in (RosRole.KRUIZE, RosRole.KRUIZE_JOB):
            return self.kruize
        return self.sources if role is RosRole.SOURCES else self.ingress

    def pod_container(self, scope: constructs.Construct, role: RosRole, container: Container) -> tuple[Container, str]:
        """``container`` with the env and store mounts of ``role``, and the checksum of that env."""
        pod_env = ROS_ENV.pod_env(self, [role])
        names = env_from(
            scope,
            self.naming_of(role),
            self.release.references,
            shared=SHARED_ENV,
            profile=role.value,
            pod_env=pod_env,
        )
        container = replace(
            container,
            env_from=[*names, *container.env_from],
            env=[*pod_env.env, *container.env],
            mounts=[*self.store_mounts(role), *container.mounts],
        )
        return container, pod_env.checksum

    def store_mounts(self, role: RosRole) -> list[Mount]:
        """CA files and config the role's data-store clients read."""
        stores = self.release.connections
        s3_ca = stores.object_storage.ca
        mounts = [s3_ca.mount] if s3_ca and role in (RosRole.INGRESS, RosRole.PROCESSOR) else []
        return [*mounts, *stores.kafka.mounts] if role is RosRole.INGRESS else mounts

    def workload(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        role: RosRole,
        component: str,
        container: Container,
        init_containers: Sequence[Container] = (),
        controller: Controller | None = None,
        service_account_name: str | None = None,
        automount_token: bool = False,
        termination_grace_period_seconds: int = 30,
        scanner_exceptions: Mapping[str, str] | None = None,
        talks_to: Sequence[Workload | Conversation],
    ) -> Workload:
        """A ROS-tier pod: naming, platform and pull settings plus the env of ``role``, behind the
        edge's Envoy sidecar when the edge puts one in front of ``component`` (the pod then also
        talks to whom the sidecar asks)."""
        container, digest = self.pod_container(scope, role, container)
        annotations = {"checksum/config": digest}
        sidecars = []
        fronted = front_with_sidecar(
            scope, release=self.release, naming=self.naming_of(role), component=component, container=container
        )
        if fronted:
            container, sidecars = fronted.container, [fronted.sidecar]
            annotations["checksum/envoy"] = fronted.config_checksum
            talks_to = [*talks_to, *fronted.talks_to]
        images = self.values.images
        return Workload(
            scope,
            id,
            WorkloadProps(
                component=component,
                naming=self.naming_of(role),
                platform=self.platform,
                container=container,
                init_containers=init_containers,
                sidecars=sidecars,
                controller=controller or DeploymentKind(),
                termination_grace_period_seconds=termination_grace_period_seconds,
                pod_annotations=annotations,
                image_pull_policy=images.pull_policy,
                image_pull_secrets=tuple(images.pull_secrets),
                service_account_name=service_account_name,
                automount_service_account_token=automount_token,
                references=self.release.references,
                scanner_exceptions=scanner_exceptions or {},
                talks_to=talks_to,
            ),
        )
