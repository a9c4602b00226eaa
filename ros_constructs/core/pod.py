"""What a container is made of: ports, probes, env values, volumes. Plain data, no Node.

``Workload`` (``workload.py``) renders these into Kubernetes objects; components only
describe them. Env values are built through the factories (:func:`literal`,
:func:`config_map_key`, :func:`secret_key`, :func:`field_ref`, :func:`resource_ref`,
:func:`extra_env_var`), so an env var is always exactly one kind of source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypedDict, Unpack

from ..values import ExtraEnv, Resources, ValuesError
from .references import KeyRef
from .secrets import SecretRef

TMP_PATH = "/tmp"
TMP_VOLUME = "tmp"

# --- ports and probes ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Port:
    """A named container port; ``expose`` puts it on the Service (as ``service_port``)."""

    name: str
    container_port: int
    service_port: int | None = None
    expose: bool = True
    metrics_path: str | None = None
    """Where this port serves Prometheus metrics, if it does (monitoring and network policy read it)."""


class ProbeTiming(TypedDict, total=False):
    initial_delay_seconds: int
    period_seconds: int
    timeout_seconds: int
    failure_threshold: int


@dataclass(frozen=True, kw_only=True)
class Probe:
    """A probe: exactly one of HTTP GET (path on a named port), TCP or exec. Kubernetes defaults."""

    http_path: str | None = None
    port: str | None = None
    command: Sequence[str] | None = None
    initial_delay_seconds: int = 0
    period_seconds: int = 10
    timeout_seconds: int = 1
    failure_threshold: int = 3

    def __post_init__(self) -> None:
        if self.command is None and self.port is None:
            raise ValueError("a probe needs a port (http or tcp) or a command (exec)")

    @staticmethod
    def http(path: str, port: str, *, prefix: str = "", **timing: Unpack[ProbeTiming]) -> Probe:
        """HTTP GET ``<prefix><path>`` on a named container port."""
        return Probe(http_path=f"{prefix}{path}", port=port, **timing)

    @staticmethod
    def tcp(port: str, **timing: Unpack[ProbeTiming]) -> Probe:
        return Probe(port=port, **timing)

    @staticmethod
    def exec(command: Sequence[str], **timing: Unpack[ProbeTiming]) -> Probe:
        return Probe(command=tuple(command), **timing)


class ProbeSet(TypedDict):
    """The three probes of a container, to spread into :class:`Container`."""

    startup: Probe
    liveness: Probe
    readiness: Probe


# --- environment -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LiteralValue:
    value: str


class ConfigMapKey(KeyRef):
    """One key of a ConfigMap (credentials use :class:`SecretRef`)."""


@dataclass(frozen=True, kw_only=True)
class FieldRef:
    field_path: str


@dataclass(frozen=True, kw_only=True)
class ResourceRef:
    resource: str
    container: str | None = None
    divisor: str | None = None


EnvSource = LiteralValue | ConfigMapKey | SecretRef | FieldRef | ResourceRef


@dataclass(frozen=True, kw_only=True)
class EnvVar:
    """One container env var and where its value comes from (build it with the factories below)."""

    name: str
    source: EnvSource


def literal(name: str, value: str | int | bool) -> EnvVar:
    """A literal value; booleans render as Python/Django style ``True``/``False``."""
    return EnvVar(name=name, source=LiteralValue(value=str(value)))


def config_map_key(name: str, config_map: str, key: str, *, optional: bool = False) -> EnvVar:
    return EnvVar(name=name, source=ConfigMapKey(name=config_map, key=key, optional=optional))


def secret_key(name: str, secret: str, key: str, *, optional: bool = False) -> EnvVar:
    return EnvVar(name=name, source=SecretRef(name=secret, key=key, optional=optional))


def field_ref(name: str, field_path: str) -> EnvVar:
    return EnvVar(name=name, source=FieldRef(field_path=field_path))


def resource_ref(name: str, resource: str, *, container: str | None = None, divisor: str | None = None) -> EnvVar:
    return EnvVar(name=name, source=ResourceRef(resource=resource, container=container, divisor=divisor))


def extra_env_var(extra: ExtraEnv) -> EnvVar:
    """An ``extraEnv`` entry of the values: a literal or a Secret key."""
    ref = extra.secret_key_ref
    if ref is not None and ref.name:
        return secret_key(extra.name, ref.name, ref.key, optional=extra.optional)
    return literal(extra.name, extra.value or "")


def describe_source(source: EnvSource) -> str:
    """Where an env value comes from, as an error message names it."""
    match source:
        case LiteralValue():
            return "a value the release sets in the container spec"
        case ConfigMapKey(name=name, key=key):
            return f"ConfigMap {name} key {key}"
        case SecretRef(name=name, key=key):
            return f"Secret {name} key {key}"
        case FieldRef(field_path=path):
            return f"the pod's field {path}"
        case ResourceRef(resource=resource):
            return f"the container's {resource}"


def extra_env_vars(extras: Sequence[ExtraEnv], at: str, generated: Mapping[str, str]) -> list[EnvVar]:
    """``extras`` (the ``extraEnv`` list at values path ``at``) as env vars. ``generated`` maps each
    variable the release sets in the container to its source: ``extraEnv`` only adds variables, so
    that neither a credential's Secret reference nor a value a generated command reads is replaced."""
    for index, extra in enumerate(extras):
        if (source := generated.get(extra.name)) is not None:
            raise ValuesError(
                f"{at}.{index}.name: {extra.name!r} is set by the release ({source}); extraEnv may only add variables"
            )
    return [extra_env_var(e) for e in extras]


def merge_env(env: Sequence[EnvVar], overrides: Sequence[EnvVar]) -> list[EnvVar]:
    """``env`` with each override replacing the variable of the same name in place (or appended)."""
    merged = {e.name: e for e in env}
    for override in overrides:
        merged[override.name] = override
    return list(merged.values())


# --- volumes ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EmptyDir:
    size_limit: str | None = None
    medium: Literal["Memory"] | None = None


@dataclass(frozen=True, kw_only=True)
class ObjectFiles:
    """Keys of a Secret or ConfigMap as files; always mounted read-only."""

    items: Mapping[str, str] | None = None
    """Key -> file path inside the mount; None projects every key."""
    optional: bool = False


@dataclass(frozen=True, kw_only=True)
class SecretFiles(ObjectFiles):
    secret_name: str
    default_mode: int = 0o440


@dataclass(frozen=True, kw_only=True)
class ConfigMapFiles(ObjectFiles):
    config_map_name: str
    default_mode: int = 0o444


VolumeSource = EmptyDir | SecretFiles | ConfigMapFiles


@dataclass(frozen=True, kw_only=True)
class Mount:
    """A volume and where the container mounts it (Secret and ConfigMap files always read-only)."""

    name: str
    path: str
    source: VolumeSource
    read_only: bool = False
    sub_path: str | None = None


# --- containers ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Container:
    """One container of a pod. The main container is named after the workload."""

    image: str
    resources: Resources
    name: str | None = None
    command: Sequence[str] | None = None
    args: Sequence[str] | None = None
    env_from: Sequence[str] = ()
    """ConfigMaps whose every key becomes an env var (``env`` wins on a clash)."""
    env: Sequence[EnvVar] = ()
    mounts: Sequence[Mount] = ()
    ports: Sequence[Port] = ()
    liveness: Probe | None = None
    readiness: Probe | None = None
    startup: Probe | None = None
    pre_stop: Sequence[str] | None = None
    """Command run before SIGTERM (its time counts against the grace period), e.g. to drain."""
