"""What an App's charts emitted, as plain JSON, for the constructs that read what the tiers built.

Edge and monitoring come after the tiers (data flows one way): network policies follow the
pods and Services that exist and what each workload declares it talks to, ServiceMonitors follow
the ``metrics`` ports.
Every object made through :func:`~ros_constructs.core.emit.api_object`, which every construct
here uses, is recorded here in the order it was made; reading it costs no Node round trip.
``ros-synth`` counts and sizes its output from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the release reads inventories' types without loading the construct runtime
    import constructs

from .conversations import Conversation

Json = dict[str, Any]
POD_CONTROLLERS = ("Deployment", "StatefulSet", "Job", "CronJob")


@dataclass(frozen=True, kw_only=True)
class Emitted:
    """One object: its kind, name, labels and every field besides metadata."""

    api_version: str
    kind: str
    name: str
    labels: Mapping[str, str]
    body: Json

    def manifest(self) -> Json:
        """The object as written, but for its namespace and annotations."""
        return {"apiVersion": self.api_version, "kind": self.kind, "metadata": {"name": self.name}, **self.body}


@dataclass(frozen=True, kw_only=True)
class PodOwner:
    """A pod-owning object read back: its pod labels and pod spec."""

    kind: str
    name: str
    labels: Mapping[str, str]
    pod: Json

    @property
    def containers(self) -> list[Json]:
        return [*self.pod.get("initContainers", []), *self.pod["containers"]]


@dataclass(frozen=True, kw_only=True)
class ScrapeTarget:
    """A pod port that serves Prometheus metrics; ``service`` is set when a Service exposes it."""

    workload: str
    selector: Mapping[str, str]
    labels: Mapping[str, str]
    port: str
    path: str
    service: str | None


@dataclass(frozen=True, kw_only=True)
class Declared:
    """What the pods ``selector`` selects (one workload's) talk to."""

    selector: Mapping[str, str]
    talks_to: tuple[Conversation, ...]


@dataclass
class Inventory:
    objects: list[Emitted] = field(default_factory=list)
    scrape_targets: list[ScrapeTarget] = field(default_factory=list)
    conversations: list[Declared] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> Iterator[Emitted]:
        return (o for o in self.objects if o.kind in kinds)

    def pod_owners(self) -> Iterator[PodOwner]:
        for o in self.of_kind(*POD_CONTROLLERS):
            spec = o.body["spec"]
            template = spec["jobTemplate"]["spec"]["template"] if o.kind == "CronJob" else spec["template"]
            yield PodOwner(kind=o.kind, name=o.name, labels=template["metadata"]["labels"], pod=template["spec"])


_INVENTORIES: dict[str, Inventory] = {}
"""By the App's jsii reference: an App made in Node (``Testing.app()``) comes back to Python as a
new proxy object each time it is returned, and jsii keeps every App alive anyway."""


def app_inventory(scope: constructs.IConstruct) -> Inventory:
    """The inventory of the App ``scope`` belongs to (asks Node for the root: see :func:`.tree.inventory`)."""
    root: Any = scope.node.root
    return _INVENTORIES.setdefault(root.__jsii_ref__.ref, Inventory())
