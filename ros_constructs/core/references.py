"""The registry of Secrets and ConfigMaps that a built tree references and provides.

Every pod builder records what its pods read (``Workload`` does it for env, envFrom and
volumes) and every construct that emits a Secret or ConfigMap records it as provided. What is
referenced but not provided must exist before ``kubectl apply``: NOTES.txt and the synth
summary are derived from that difference, never from a hand-kept list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["Secret", "ConfigMap"]


@dataclass(frozen=True, kw_only=True)
class KeyRef:
    """One key of a named Secret or ConfigMap."""

    name: str
    key: str
    optional: bool = False


@dataclass(kw_only=True)
class Referenced:
    """One Secret or ConfigMap some pod reads: the keys read and whether every read is optional."""

    kind: Kind
    name: str
    keys: set[str] = field(default_factory=set)
    """Empty when only whole-object reads (envFrom, a volume of every key) reference it."""
    optional: bool = True
    readers: set[str] = field(default_factory=set)


@dataclass
class References:
    """What the tree references and what it provides, filled while constructs are built."""

    referenced: dict[tuple[Kind, str], Referenced] = field(default_factory=dict)
    provided: dict[tuple[Kind, str], frozenset[str]] = field(default_factory=dict)

    def read(self, kind: Kind, name: str, *, by: str, keys: tuple[str, ...] = (), optional: bool = False) -> None:
        entry = self.referenced.setdefault((kind, name), Referenced(kind=kind, name=name))
        entry.keys.update(keys)
        entry.optional = entry.optional and optional
        entry.readers.add(by)

    def provide(self, kind: Kind, name: str, keys: frozenset[str]) -> None:
        self.provided[(kind, name)] = keys

    def missing(self) -> list[Referenced]:
        """Referenced but not in the output, required ones first, then by name."""
        absent = [r for k, r in self.referenced.items() if k not in self.provided]
        return sorted(absent, key=lambda r: (r.optional, r.kind, r.name))
