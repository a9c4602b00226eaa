"""Env ConfigMaps generated from an env table, created under the chart on first use, so only
the role profiles in use appear in the output."""

from __future__ import annotations

import constructs

from .emit import api_object
from .env_table import PodEnv
from .kinds import CONFIG_MAP
from .naming import Naming
from .references import References
from .tree import shared_part

ENV_HOLDER = "EnvConfig"
"""Construct id, under the chart, of the env ConfigMaps."""


def env_config_map(
    scope: constructs.Construct, naming: Naming, references: References, component: str, config: dict[str, str]
) -> str:
    """The name of the env ConfigMap ``<release>-<component>`` (created on first use)."""
    name = naming.name(component)
    if ("ConfigMap", name) in references.provided:
        return name
    api_object(
        shared_part(scope, ENV_HOLDER),
        name,
        kind=CONFIG_MAP,
        name=name,
        labels=naming.labels(component),
        body={"data": config},
    )
    references.provide("ConfigMap", name, frozenset(config))
    return name


def env_from(
    scope: constructs.Construct,
    naming: Naming,
    references: References,
    *,
    shared: str,
    profile: str,
    pod_env: PodEnv,
) -> list[str]:
    """The env ConfigMaps a pod consumes: the shared one (when it has a shared role), then its profile's."""
    names = [env_config_map(scope, naming, references, shared, pod_env.shared)] if pod_env.shared is not None else []
    if pod_env.config or not names:
        names.append(env_config_map(scope, naming, references, f"{profile}-env", pod_env.config))
    return names
