"""``RosTier``: what every ROS-tier construct shares, built once per release.

It names the four applications of the tier (the ROS backend, Kruize, the Sources API and the
upload ingress) and gives their pods to the release's plumbing
(:mod:`~ros_constructs.core.plumbing`) with env from :data:`ROS_ENV`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import constructs

from ..core.conversations import Conversation, ServiceName
from ..core.naming import Naming
from ..core.plumbing import TierEnv, build_workload, with_env
from ..core.pod import Container, Mount
from ..core.tier import Endpoint
from ..core.workload import Controller, Workload
from ..release import TierContext
from ..values import Component
from .env import BACKEND, ROS_ENV, SOURCES_PORT, SOURCES_PREFIX, RosRole
from .names import BACKEND_APP, INGRESS_APP, KRUIZE_APP, SOURCES_APP, SOURCES_COMPONENT

SHARED_ENV = "rosocp-env"
"""The ConfigMap of what every ros-ocp-backend container gets."""


@dataclass(frozen=True, kw_only=True)
class RosTier(TierContext):
    """The ROS tier of one release."""

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
    def kruize_service(self) -> ServiceName:
        """Kruize's Service (built after the backend pods that call it)."""
        return ServiceName(self.kruize.name("kruize"))

    @property
    def sources_api(self) -> Endpoint:
        """What the housekeeper asks about sources: the API another tier offers (Koku's), else
        sources-api-go of ROS-only mode (built after the housekeeper that calls it)."""
        offered = self.release.endpoint("sources")
        if offered:
            return offered
        service = self.sources.name(SOURCES_COMPONENT)
        return Endpoint(name="sources", service=service, port=SOURCES_PORT, prefix=SOURCES_PREFIX, health="/health")

    @property
    def kruize_host(self) -> str:
        return f"{self.kruize_service.name}.{self.values.namespace}.svc"

    def naming_of(self, role: RosRole) -> Naming:
        """The application ``role`` belongs to; every role names one (a new role must be added here)."""
        if role in BACKEND:
            return self.backend
        apps = {
            RosRole.KRUIZE: self.kruize,
            RosRole.KRUIZE_JOB: self.kruize,
            RosRole.SOURCES: self.sources,
            RosRole.INGRESS: self.ingress,
        }
        if role not in apps:
            raise ValueError(f"ROS role {role.value!r} belongs to no application of the tier")
        return apps[role]

    def tier_env(self, role: RosRole) -> TierEnv:
        """The env of ``role`` as ROS's table gives it, with the store mounts its clients read."""
        return TierEnv(
            pod_env=ROS_ENV.pod_env(self, [role]), shared=SHARED_ENV, profile=role.value, mounts=self.store_mounts(role)
        )

    def pod_container(self, scope: constructs.Construct, role: RosRole, container: Container) -> Container:
        """``container`` (an init container) with the env and store mounts of ``role``."""
        return with_env(scope, self.naming_of(role), self.release.references, container, self.tier_env(role))

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
        component_values: Component | None = None,
        talks_to: Sequence[Workload | Conversation],
    ) -> Workload:
        """A ROS-tier pod through the release's plumbing, with the env of ``role`` and the settings of
        its values block ``component_values``."""
        return build_workload(
            scope,
            id,
            self.release,
            naming=self.naming_of(role),
            component=component,
            container=container,
            env=self.tier_env(role),
            init_containers=init_containers,
            controller=controller,
            termination_grace_period_seconds=termination_grace_period_seconds,
            service_account_name=service_account_name,
            automount_service_account_token=automount_token,
            scanner_exceptions=scanner_exceptions or {},
            component_values=component_values,
            talks_to=talks_to,
        )
