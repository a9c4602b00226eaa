"""``KokuTier``: what every Cost Management construct shares, built once per release.

It names Koku's objects and gives every Koku pod to the release's plumbing
(:mod:`~ros_constructs.core.plumbing`) with the env of its roles (the role profile's ConfigMap,
Secret refs, credential mounts, extraEnv); env ConfigMaps are made the first time a pod needs
them, so only profiles in use appear in the output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import constructs

from ..core.conversations import Conversation, Destination
from ..core.naming import Naming
from ..core.plumbing import TierEnv, build_workload
from ..core.pod import Container, Mount, Probe, ProbeSet, SecretFiles
from ..core.workload import Controller, Workload
from ..data.connections import Bucket
from ..release import TierContext
from ..values import Component
from . import credentials
from .env import (
    AWS_DIR,
    GCP_DIR,
    GCP_FILE,
    KAFKA_USERS,
    KOKU,
    KOKU_ENV,
    MIGRATIONS,
    OBJECT_STORE_USERS,
    Role,
    profile,
)
from .upload_env import INGRESS_APP

KOKU_APP = "koku"
WEB_PORT = 8000
"""Gunicorn's bind port when Clowder is off."""
METRICS_PORT = 9000
"""Koku's probe server (``/livez``, ``/readyz``, ``/metrics``) when Clowder is off."""
STATUS_PATH = "/v1/status/"
RECOMMENDATIONS_PATH = "/v1/recommendations/"
"""Under the API prefix: Koku's router sends it to the ROS API (Koku's own nginx does the same)."""
SHARED_ENV = "koku-env"
"""The ConfigMap of what every Koku deployment gets (the router and migrations have their own)."""


def status_probes(port: str, prefix: str, *, liveness: Probe) -> ProbeSet:
    """Gunicorn services: startup and readiness on Koku's status view (it checks the database);
    liveness is the caller's choice, so a database outage need not restart pods."""
    return ProbeSet(
        startup=Probe.http(STATUS_PATH, port, prefix=prefix, timeout_seconds=10, failure_threshold=30),
        readiness=Probe.http(STATUS_PATH, port, prefix=prefix, timeout_seconds=10),
        liveness=liveness,
    )


@dataclass(frozen=True, kw_only=True)
class KokuPod:
    """How a Koku pod differs from a bare one: its roles and its pod annotations."""

    roles: Iterable[Role] = ()
    env_profile: str | None = None
    """Its env ConfigMap's name when the roles do not name it (a worker pool over several families)."""
    pod_annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class KokuTier(TierContext):
    """The Koku tier of one release."""

    @cached_property
    def naming(self) -> Naming:
        return self.release.naming(KOKU_APP, self.values.images.koku.version)

    @cached_property
    def upload(self) -> Naming:
        """insights-ingress-go's names: an application of the tier with an image of its own."""
        return self.release.naming(INGRESS_APP, self.values.images.ingress.version)

    @property
    def image(self) -> str:
        return self.values.images.koku.ref

    @property
    def koku_bucket(self) -> Bucket:
        """Where Koku's object storage is: its bucket's, which holds its ROS and SUBS exports too on
        ODF (one claim) and shares the endpoint with them otherwise."""
        return self.stores.object_storage.buckets["koku"]

    @property
    def rbac(self) -> list[Destination]:
        """The insights-rbac service Koku asks, when one is set (it runs outside the output)."""
        rbac = self.values.cost_management.cache_and_rbac
        host = rbac.rbac_service_host
        return [Destination(what="RBAC service", token=host, port=rbac.rbac_service_port)] if host else []

    @property
    def api_services(self) -> tuple[str, str]:
        """(reads, writes) API Service names; both are ``<release>-api`` in unified mode."""
        if self.values.cost_management.api.mode == "unified":
            return (self.naming.name("api"),) * 2
        return self.naming.name("api-reads"), self.naming.name("api-writes")

    @property
    def recommendations(self) -> tuple[str, int]:
        """Service and port for ``<prefix>/v1/recommendations/``: the one the values name, else the
        route another tier serves there, else the writes API (Koku's own fallback)."""
        api = self.values.cost_management.api
        ros_api = api.router.ros_api
        if ros_api.service:
            return ros_api.service, ros_api.port
        route = self.release.route_at(f"{api.path_prefix}{RECOMMENDATIONS_PATH}")
        return (route.service, route.port) if route else (self.api_services[1], WEB_PORT)

    def credential_mounts(self, roles: frozenset[Role]) -> list[Mount]:
        values = self.values
        mounts = []
        aws_file = credentials.aws_credentials_file(values)
        if aws_file and roles & KOKU:
            files = SecretFiles(secret_name=aws_file.name, items={aws_file.key: "credentials"})
            mounts.append(Mount(name="aws-credentials", path=AWS_DIR, source=files))
        gcp = credentials.gcp_credentials(values)
        if gcp and roles & KOKU:
            files = SecretFiles(secret_name=gcp.name, items={gcp.key: GCP_FILE})
            mounts.append(Mount(name="gcp-credentials", path=GCP_DIR, source=files))
        stores = self.release.connections
        if roles & (KOKU | MIGRATIONS):
            mounts += stores.database.mounts
        if roles & KOKU:
            mounts += stores.cache.mounts
        if roles & KAFKA_USERS:
            mounts += stores.kafka.mounts
        if roles & OBJECT_STORE_USERS:
            mounts += stores.object_storage.mounts
        return mounts

    def workload(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        component: str,
        container: Container,
        pod: KokuPod,
        controller: Controller | None = None,
        termination_grace_period_seconds: int = 30,
        component_values: Component | None = None,
        talks_to: Sequence[Workload | Conversation],
    ) -> Workload:
        """A Koku pod through the release's plumbing, with the env and mounts of ``pod.roles`` and the
        settings of its values block ``component_values``."""
        roles = frozenset(pod.roles)
        env = None
        if roles:
            env = TierEnv(
                pod_env=KOKU_ENV.pod_env(self, roles),
                shared=SHARED_ENV,
                profile=pod.env_profile or profile(roles),
                extra_env=self.values.cost_management.extra_env,
                extra_env_at="costManagement.extraEnv",
                mounts=self.credential_mounts(roles),
            )
        return build_workload(
            scope,
            id,
            self.release,
            naming=self.naming,
            component=component,
            container=container,
            env=env,
            pod_annotations=pod.pod_annotations,
            component_values=component_values,
            controller=controller,
            termination_grace_period_seconds=termination_grace_period_seconds,
            talks_to=talks_to,
        )
