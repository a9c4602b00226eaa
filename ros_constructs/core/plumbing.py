"""The one way every tier turns a container into a pod-owning object.

A tier gives the container, its env as the tier's env table made it, and the controller; the
plumbing adds the rest the same way for every pod: the env ConfigMaps consumed through
``envFrom`` (created on first use), a ``checksum/config`` annotation over exactly what the pod
consumes (a change rolls exactly those pods), a ``checksum/secrets`` annotation on pods that read
generated Secrets, the authenticating sidecar the edge puts in front of a pod that serves a
front-door route, the settings of the pod's values block (image, extraEnv, labels, annotations,
scheduling), and the release's platform, pull settings and reference registry. ``extraEnv`` only
adds variables: one the release sets in the container is a values error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import constructs

from ..values import Component, ExtraEnv, Values, components
from .conversations import Conversation
from .env_config import env_from
from .env_table import PodEnv, checksum
from .naming import Naming
from .platform import Platform
from .pod import Container, Mount, SecretFiles, describe_source, extra_env_vars, merge_env
from .references import References
from .secrets import SecretPlan, SecretRef
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

    @property
    def secret_plans(self) -> list[SecretPlan]: ...

    def front(
        self, scope: constructs.Construct, naming: Naming, component: str, container: Container
    ) -> Fronted | None: ...


@dataclass(frozen=True, kw_only=True)
class TierEnv:
    """A pod's env as its tier's env table gives it: ConfigMap data, Secret refs and the mounts its
    store clients read, plus the ``extraEnv`` that applies to every pod of the tier."""

    pod_env: PodEnv
    shared: str
    """The shared ConfigMap's component (``<release>-<shared>``), consumed when ``pod_env.shared`` is set."""
    profile: str
    """The role profile: its ConfigMap is ``<release>-<profile>-env``."""
    extra_env: Sequence[ExtraEnv] = ()
    """Added to the main container by :func:`build_workload` (never replacing what the release sets)."""
    extra_env_at: str = ""
    """The values path of ``extra_env``, for errors."""
    mounts: Sequence[Mount] = ()


def with_env(
    scope: constructs.Construct, naming: Naming, references: References, container: Container, env: TierEnv
) -> Container:
    """``container`` consuming ``env``: its env ConfigMaps (made on first use) through ``envFrom``,
    its Secret refs, its mounts."""
    names = env_from(scope, naming, references, shared=env.shared, profile=env.profile, pod_env=env.pod_env)
    return replace(
        container,
        env_from=[*names, *container.env_from],
        env=merge_env([*env.pod_env.env, *container.env], ()),
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
    generated = env_sources(container, site.references)
    if env is not None and env.extra_env:
        container = replace(
            container, env=merge_env(container.env, extra_env_vars(env.extra_env, env.extra_env_at, generated))
        )
    block_extras = component_values.extra_env if component_values is not None else []
    if component_values is not None and block_extras:
        extra_env_vars(block_extras, f"{_values_path(site.values, component_values)}.extraEnv", generated)
    if secrets := secrets_checksum(site, [container, *init_containers, *sidecars], block_extras):
        annotations["checksum/secrets"] = secrets
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


def env_sources(container: Container, references: References) -> dict[str, str]:
    """Each variable the release sets in ``container`` and where it comes from: the keys of its
    env ConfigMaps (as recorded in ``references``), then its own env (which wins on a clash)."""
    sources = {
        key: f"ConfigMap {name}"
        for name in container.env_from
        for key in sorted(references.provided.get(("ConfigMap", name), ()))
    }
    return {**sources, **{e.name: describe_source(e.source) for e in container.env}}


def secrets_checksum(site: PodSite, containers: Sequence[Container], extras: Sequence[ExtraEnv]) -> str | None:
    """Over ``secrets.generation`` and the names of the generated Secrets the pod reads (env, files or
    ``extras``), None when it reads none. Nothing derived from a secret goes in: bumping the
    generation after a seed change rolls these pods and, as it changes their Jobs' names, re-runs those."""
    read = {e.source.name for c in containers for e in c.env if isinstance(e.source, SecretRef)}
    read |= {m.source.secret_name for c in containers for m in c.mounts if isinstance(m.source, SecretFiles)}
    read |= {e.secret_key_ref.name for e in extras if e.secret_key_ref is not None and e.secret_key_ref.name}
    used = sorted(read & {p.name for p in site.secret_plans if p.generated})
    if not used:
        return None
    return checksum(f"generation={site.values.secrets.generation}", *used)


def _values_path(values: Values, block: Component) -> str:
    """Where ``block`` sits in ``values`` (every block with an ``extraEnv`` of its own is the user's)."""
    return next(path for path, found in components(values) if found is block)
