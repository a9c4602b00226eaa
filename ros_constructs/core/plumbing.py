"""The one way every tier turns a container into a pod-owning object.

A tier gives the container, its env as the tier's env table made it, and the controller; the
plumbing adds the rest the same way for every pod: the env ConfigMaps consumed through
``envFrom`` (created on first use), a ``checksum/config`` annotation over exactly what the pod
consumes (a change rolls exactly those pods), the authenticating sidecar the edge puts in front
of a pod that serves a front-door route, the settings of the pod's values block (image, extraEnv,
labels, annotations, scheduling), and the release's platform, pull settings and reference registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import constructs

from ..values import Component, Values
from .conversations import Conversation
from .env_config import env_from
from .env_table import PodEnv, checksum
from .naming import Naming
from .platform import Platform
from .pod import Container, EnvVar, Mount, merge_env
from .references import References
from .tier import Fronted
from .workload import Controller, DeploymentKind, Workload, WorkloadProps


class PodSite(Protocol):
    """What the plumbing reads of the release a pod belongs to."""

    @property
    def values(self) -> Values: ...

    @property
    def platform(self) -> Platform: ...

    @property
    def references(self) -> References: ...

    def front(
        self, scope: constructs.Construct, naming: Naming, component: str, container: Container
    ) -> Fronted | None: ...


@dataclass(frozen=True, kw_only=True)
class TierEnv:
    """A pod's env as its tier's env table gives it: ConfigMap data, Secret refs and the mounts its
    store clients read, plus the literals that override table entries of the same name."""

    pod_env: PodEnv
    shared: str
    """The shared ConfigMap's component (``<release>-<shared>``), consumed when ``pod_env.shared`` is set."""
    profile: str
    """The role profile: its ConfigMap is ``<release>-<profile>-env``."""
    overrides: Sequence[EnvVar] = ()
    mounts: Sequence[Mount] = ()


def with_env(
    scope: constructs.Construct, naming: Naming, references: References, container: Container, env: TierEnv
) -> Container:
    """``container`` consuming ``env``: its env ConfigMaps (made on first use) through ``envFrom``,
    its Secret refs and overrides, its mounts."""
    names = env_from(scope, naming, references, shared=env.shared, profile=env.profile, pod_env=env.pod_env)
    return replace(
        container,
        env_from=[*names, *container.env_from],
        env=merge_env([*env.pod_env.env, *container.env], env.overrides),
        mounts=[*env.mounts, *container.mounts],
    )


def build_workload(
    scope: constructs.Construct,
    id: str,
    site: PodSite,
    *,
    naming: Naming,
    component: str,
    container: Container,
    env: TierEnv | None = None,
    pod_annotations: Mapping[str, str] | None = None,
    sidecars: Sequence[Container] = (),
    component_values: Component | None = None,
    talks_to: Sequence[Workload | Conversation] = (),
    controller: Controller | None = None,
    init_containers: Sequence[Container] = (),
    termination_grace_period_seconds: int = 30,
    service_account_name: str | None = None,
    automount_service_account_token: bool = False,
    service_annotations: Mapping[str, str] | None = None,
    scanner_exceptions: Mapping[str, str] | None = None,
) -> Workload:
    """``container`` as the main container of ``<release>-<component>``, with the settings of its
    values block ``component_values`` (image, extraEnv, pod labels and annotations, scheduling over
    the release-wide ``scheduling``); the other arguments are :class:`WorkloadProps`' (a
    Deployment of one replica unless ``controller`` says otherwise)."""
    annotations = dict(pod_annotations or {})
    if env is not None:
        container = with_env(scope, naming, site.references, container, env)
        own = annotations.get("checksum/config")
        annotations["checksum/config"] = checksum(own, env.pod_env.checksum) if own else env.pod_env.checksum
    fronted = site.front(scope, naming, component, container)
    if fronted is not None:
        container, sidecars = fronted.container, [*sidecars, fronted.sidecar]
        annotations["checksum/envoy"] = fronted.config_checksum
        talks_to = [*talks_to, *fronted.talks_to]
    images = site.values.images
    return Workload(
        scope,
        id,
        WorkloadProps(
            component=component,
            naming=naming,
            platform=site.platform,
            container=container,
            sidecars=tuple(sidecars),
            pod_annotations=annotations,
            image_pull_policy=images.pull_policy,
            image_pull_secrets=tuple(images.pull_secrets),
            references=site.references,
            talks_to=tuple(talks_to),
            controller=controller or DeploymentKind(),
            init_containers=tuple(init_containers),
            termination_grace_period_seconds=termination_grace_period_seconds,
            service_account_name=service_account_name,
            automount_service_account_token=automount_service_account_token,
            service_annotations=service_annotations or {},
            scanner_exceptions=scanner_exceptions or {},
        ).with_values(component_values, site.values.scheduling),
    )
