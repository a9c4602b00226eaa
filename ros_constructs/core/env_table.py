"""The env table engine: role-keyed env entries -> ConfigMap data, Secret refs and field refs.

A tier states its env once as a table of :class:`EnvEntry` (name, the roles that get it, and
where the value comes from). Each entry names its values path once: the docs print it and, for
:func:`from_values`, the getter walks it. Roles are enum members; asking for a role the table
does not know is an error, never a pod with no env. Plain values end up in one ConfigMap per
role profile that pods consume through ``envFrom``; credentials stay ``secretKeyRef``s. Entries
that reach every role of the table's ``shared_roles`` live once in a shared ConfigMap instead,
which those pods consume too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from ..values import Values
from .pod import ConfigMapKey, EnvVar, config_map_key, field_ref, secret_key
from .secrets import SecretRef

Scalar = str | int | bool


class HasValues(Protocol):
    @property
    def values(self) -> Values: ...


Ctx = TypeVar("Ctx", bound=HasValues)


@dataclass(frozen=True, kw_only=True)
class EnvEntry(Generic[Ctx]):
    """One env var: its values path (or how it is derived), its value, and the roles that get it."""

    name: str
    source: str
    """Where the value comes from, for the docs: a values path or a parenthesised note."""
    roles: frozenset[StrEnum]
    value: Callable[[Ctx], Scalar | None] | None = None
    """A plain value (through the ConfigMap); None from the callable leaves the variable out."""
    secret: Callable[[Ctx], SecretRef | ConfigMapKey | None] | None = None
    """A key of a Secret, or of a ConfigMap another component makes (an operator's bucket claim)."""
    field_path: str | None = None

    @property
    def kind(self) -> str:
        return "Secret key" if self.secret else "field ref" if self.field_path else "ConfigMap"


@cache
def _path_getter(model: type[BaseModel], path: str) -> tuple[str, ...]:
    """camelCase path -> attribute names, checked against the model (a typo fails at import)."""
    names, current = [], model
    for part in path.split("."):
        match = [n for n, f in current.model_fields.items() if (f.alias or n) == part]
        if not match:
            raise ValueError(f"env table: {path!r} is not a values path ({part!r} unknown)")
        names.append(match[0])
        annotation = current.model_fields[match[0]].annotation
        current = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else BaseModel
    return tuple(names)


def values_at(values: Values, path: str) -> Any:
    """The value at a camelCase values path, e.g. ``costManagement.logging.koku``."""
    node: Any = values
    for name in _path_getter(Values, path):
        node = getattr(node, name)
    return node


def from_values(
    name: str, path: str, roles: Iterable[StrEnum], render: Callable[[Any], Scalar | None] = lambda v: v
) -> EnvEntry[Any]:
    """A plain variable read from ``path`` (optionally transformed by ``render``)."""
    _path_getter(Values, path)
    return EnvEntry(
        name=name, source=path, roles=frozenset(roles), value=lambda ctx: render(values_at(ctx.values, path))
    )


def derived(name: str, source: str, roles: Iterable[StrEnum], value: Callable[[Any], Scalar | None]) -> EnvEntry[Any]:
    """A plain variable computed from the tier context; ``source`` says from what, for the docs."""
    return EnvEntry(name=name, source=source, roles=frozenset(roles), value=value)


def fixed(name: str, value: Scalar, roles: Iterable[StrEnum], why: str = "fixed") -> EnvEntry[Any]:
    return EnvEntry(name=name, source=f"({why})", roles=frozenset(roles), value=lambda ctx: value)


def from_secret(
    name: str, source: str, roles: Iterable[StrEnum], ref: Callable[[Any], SecretRef | ConfigMapKey | None]
) -> EnvEntry[Any]:
    """A credential (always a Secret key reference) or a value another object holds."""
    return EnvEntry(name=name, source=source, roles=frozenset(roles), secret=ref)


def from_store(
    name: str, source: str, roles: Iterable[StrEnum], get: Callable[[Any], Scalar | SecretRef | ConfigMapKey | None]
) -> EnvEntry[Any]:
    """A data-store setting that is a plain value in some modes and another object's key in
    others (an ODF bucket claim's host and bucket name)."""

    def plain(ctx: Any) -> Scalar | None:
        value = get(ctx)
        return None if isinstance(value, SecretRef | ConfigMapKey) else value

    def ref(ctx: Any) -> SecretRef | ConfigMapKey | None:
        value = get(ctx)
        return value if isinstance(value, SecretRef | ConfigMapKey) else None

    return EnvEntry(name=name, source=source, roles=frozenset(roles), value=plain, secret=ref)


def from_field(name: str, field_path: str, roles: Iterable[StrEnum]) -> EnvEntry[Any]:
    return EnvEntry(name=name, source=f"(fieldRef {field_path})", roles=frozenset(roles), field_path=field_path)


def django_bool(flag: Scalar) -> str:
    """Python/Django style booleans (``True``/``False``)."""
    return ("True" if flag else "False") if isinstance(flag, bool) else str(flag)


def go_bool(flag: Scalar) -> str:
    """Go's strconv and viper style booleans (``true``/``false``)."""
    return str(flag).lower() if isinstance(flag, bool) else str(flag)


@dataclass(frozen=True, kw_only=True)
class PodEnv:
    """What a pod gets from the table for its roles."""

    config: dict[str, str]
    """Plain values only this role profile gets: the data of its env ConfigMap."""
    shared: dict[str, str] | None
    """The shared ConfigMap's data when the pod consumes it, else None."""
    env: list[EnvVar]
    """Secret keys and field references, in table order."""

    @property
    def checksum(self) -> str:
        """Over every plain value the pod consumes."""
        consumed = {**(self.shared or {}), **self.config}
        return checksum(*(f"{k}={v}" for k, v in sorted(consumed.items())))


class EnvTable(Generic[Ctx]):
    """A tier's env entries over a closed set of role enums."""

    def __init__(
        self,
        entries: Sequence[EnvEntry[Ctx]],
        *,
        roles: Sequence[type[StrEnum]],
        shared_roles: Iterable[StrEnum] = (),
        render_bool: Callable[[Scalar], str] = django_bool,
    ) -> None:
        self.entries = list(entries)
        self.known_roles: frozenset[StrEnum] = frozenset(r for enum in roles for r in enum)
        self.shared_roles = frozenset(shared_roles)
        self.render_bool = render_bool
        names = [e.name for e in self.entries]
        if len(names) != len(set(names)):
            raise ValueError(f"env table: duplicate names {sorted({n for n in names if names.count(n) > 1})}")
        stray = {r for e in self.entries for r in e.roles} - self.known_roles
        if stray:
            raise ValueError(f"env table: roles {sorted(stray)} are not members of the table's role enums")

    def _is_shared(self, entry: EnvEntry[Ctx]) -> bool:
        return bool(self.shared_roles) and entry.roles >= self.shared_roles

    def _plain(self, ctx: Ctx, entry: EnvEntry[Ctx]) -> str | None:
        value = entry.value(ctx) if entry.value is not None else None
        return None if value is None else self.render_bool(value)

    def shared_config(self, ctx: Ctx) -> dict[str, str]:
        """The shared ConfigMap's data: plain entries that reach every shared role."""
        return {
            e.name: value
            for e in self.entries
            if self._is_shared(e) and e.value is not None and (value := self._plain(ctx, e)) is not None
        }

    def pod_env(self, ctx: Ctx, roles: Iterable[StrEnum]) -> PodEnv:
        """Plain values, Secret refs and field refs for a pod with ``roles``."""
        role_set = frozenset(roles)
        unknown = role_set - self.known_roles
        if not role_set or unknown:
            raise ValueError(f"unknown env role(s) {sorted(map(str, unknown)) or '(none given)'}")
        sharing = bool(role_set & self.shared_roles)
        config: dict[str, str] = {}
        env: list[EnvVar] = []
        for entry in self.entries:
            if not role_set & entry.roles:
                continue
            if entry.field_path:
                env.append(field_ref(entry.name, entry.field_path))
            elif entry.secret is not None and (ref := entry.secret(ctx)) is not None:
                if isinstance(ref, SecretRef):
                    env.append(secret_key(entry.name, ref.name, ref.key, optional=ref.optional))
                else:
                    env.append(config_map_key(entry.name, ref.name, ref.key, optional=ref.optional))
            elif not (sharing and self._is_shared(entry)) and (value := self._plain(ctx, entry)) is not None:
                config[entry.name] = value
        return PodEnv(config=config, shared=self.shared_config(ctx) if sharing else None, env=env)


def checksum(*parts: str) -> str:
    """sha256 of config content: a pod template annotation, so a change rolls exactly those pods."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
