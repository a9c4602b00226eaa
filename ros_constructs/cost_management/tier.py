"""``KokuTier``: what every Cost Management construct shares, built once per release.

It names Koku's objects, builds every Koku pod through ``Workload`` with its env (``envFrom``
of the role profile's ConfigMap, Secret refs, credential mounts, extraEnv) and a
``checksum/config`` annotation over exactly the ConfigMap the pod consumes, and creates each
env ConfigMap the first time a pod needs it, so only profiles in use appear in the output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import constructs

from ..core.conversations import Conversation, Destination
from ..core.env_config import env_from
from ..core.env_table import checksum
from ..core.naming import Naming
from ..core.platform import Platform
from ..core.pod import Container, EnvVar, Mount, Probe, ProbeSet, SecretFiles, literal, merge_env, secret_key
from ..core.workload import Controller, DeploymentKind, Workload, WorkloadProps
from ..data.connections import Bucket, Connections
from ..release import Release
from ..values import ExtraEnv, Values
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

KOKU_APP = "koku"
WEB_PORT = 8000
"""Gunicorn's bind port when Clowder is off."""
METRICS_PORT = 9000
"""Koku's probe server (``/livez``, ``/readyz``, ``/metrics``) when Clowder is off."""
STATUS_PATH = "/v1/status/"
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


def render_extra(extra: ExtraEnv) -> EnvVar:
    ref = extra.secret_key_ref
    if ref is not None and ref.name:
        return secret_key(extra.name, ref.name, ref.key, optional=extra.optional)
    return literal(extra.name, extra.value or "")


@dataclass(frozen=True, kw_only=True)
class KokuPod:
    """How a Koku pod differs from a bare one: its roles, its own extraEnv, its pod annotations."""

    roles: Iterable[Role] = ()
    env_profile: str | None = None
    """Its env ConfigMap's name when the roles do not name it (a worker pool over several families)."""
    extra_env: Sequence[ExtraEnv] = ()
    pod_annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class KokuTier:
    """The Koku tier of one release."""

    release: Release

    @property
    def values(self) -> Values:
        return self.release.values

    @property
    def platform(self) -> Platform:
        return self.release.platform

    @cached_property
    def naming(self) -> Naming:
        return self.release.naming(KOKU_APP, self.values.images.koku.version)

    @property
    def image(self) -> str:
        return self.values.images.koku.ref

    @property
    def stores(self) -> Connections:
        return self.release.connections

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
        sidecars: Sequence[Container] = (),
        talks_to: Sequence[Workload | Conversation],
    ) -> Workload:
        """A Koku pod: naming, platform and pull settings, plus the env and mounts of ``pod.roles``."""
        roles = frozenset(pod.roles)
        annotations = dict(pod.pod_annotations)
        if roles:
            pod_env = KOKU_ENV.pod_env(self, roles)
            extras = [render_extra(e) for e in [*self.values.cost_management.extra_env, *pod.extra_env]]
            container = replace(
                container,
                env_from=[
                    *env_from(
                        scope,
                        self.naming,
                        self.release.references,
                        shared=SHARED_ENV,
                        profile=pod.env_profile or profile(roles),
                        pod_env=pod_env,
                    ),
                    *container.env_from,
                ],
                env=merge_env([*pod_env.env, *container.env], extras),
                mounts=[*self.credential_mounts(roles), *container.mounts],
            )
            own = annotations.get("checksum/config")
            annotations["checksum/config"] = checksum(own, pod_env.checksum) if own else pod_env.checksum
        images = self.values.images
        return Workload(
            scope,
            id,
            WorkloadProps(
                component=component,
                naming=self.naming,
                platform=self.platform,
                container=container,
                sidecars=sidecars,
                controller=controller or DeploymentKind(),
                termination_grace_period_seconds=termination_grace_period_seconds,
                pod_annotations=annotations,
                image_pull_policy=images.pull_policy,
                image_pull_secrets=tuple(images.pull_secrets),
                references=self.release.references,
                talks_to=talks_to,
            ),
        )
