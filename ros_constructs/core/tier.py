"""What a tier declares: the one object through which the composition root, the release and the
other tiers know it.

A tier package (``cost_management/``, ``ros/``, ...) exposes one :class:`TierSpec`; ``app.py``
lists them in ``TIERS``. The release, NOTES.txt, the docs, the edge and monitoring read those
declarations, so no module outside a tier imports it and tiers never import each other.
The spec is generic in the release type ``R`` (the release module builds on this one, so it
cannot be named here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from ..values import Values
from .conversations import Conversation
from .inventory import Json, PodOwner
from .messaging import KafkaClient
from .naming import Naming
from .pod import Container
from .secrets import SecretPlan

if TYPE_CHECKING:  # the release module stays free of Node at import
    import cdk8s
    import constructs

R = TypeVar("R")


@dataclass(frozen=True, kw_only=True)
class ChartSpec(Generic[R]):
    """One chart of a tier; ``order`` is its apply order and the number its file starts with.

    Orders leave gaps (``10-base``, ``20-data-stores``, ...), so a new chart renames no file."""

    order: int
    name: str
    build: Callable[[constructs.Construct, str, R], cdk8s.Chart]

    @property
    def id(self) -> str:
        """The construct id and file stem: ``<order>-<name>`` (``cdk8s synth`` writes ``<id>.k8s.yaml``)."""
        return f"{self.order:02d}-{self.name}"


@dataclass(frozen=True, kw_only=True)
class FrontDoorRoute:
    """A path of the front door that a tier serves: the edge exposes it, puts authentication in
    front of it, and other tiers (the Cost Management router) find it here by its path."""

    name: str
    """Names the exposing object (``<release>-<name>`` Route or Ingress path)."""
    upstream: str
    """The central gateway's name for the Service behind it."""
    prefix: str
    component: str
    """The workload component serving it: the pod a sidecar proxy would front."""
    service: str
    port: int
    exposed: bool = True
    """False when the tier exposes it itself (the Cost Management HTTPRoute that splits methods)."""
    service_account_tokens: bool = False
    """Its callers may also present Kubernetes service-account tokens (checked by TokenReview)."""

    def host(self, namespace: str) -> str:
        return f"{self.service}.{namespace}.svc"


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """An API a tier offers the others inside the cluster, past the front door (no authentication
    sidecar): ``http://<service>.<namespace>.svc:<port><prefix>``."""

    name: str
    """What the API is (``sources``); other tiers look it up by this."""
    service: str
    port: int
    prefix: str
    health: str
    """A path that answers 200 without credentials once the API serves."""

    def url(self, namespace: str) -> str:
        return f"http://{self.service}.{namespace}.svc:{self.port}"


@dataclass(frozen=True, kw_only=True)
class DashboardRow:
    """Panels a tier adds to the release's Grafana dashboard; rows of equal ``title`` are joined,
    panels ordered by ``rank`` (a row's place is its lowest rank)."""

    title: str
    rank: int
    panels: Sequence[Json]


@dataclass(frozen=True, kw_only=True)
class EnvDoc:
    """One env table in the configuration reference: a heading, what it covers, and its rows
    (variable, values path or note, how it reaches the pod, who gets it)."""

    title: str
    intro: str
    column: str
    """Who gets a variable: ``deployments`` or ``containers``."""
    rows: Callable[[], Iterable[tuple[str, str, str, str]]]


@dataclass(frozen=True, kw_only=True)
class Fronted:
    """An app container behind its proxy sidecar: the app's first port is off the Service, the
    sidecar's port takes its Service port; the pod also talks to whom the sidecar asks."""

    container: Container
    sidecar: Container
    config_checksum: str
    talks_to: tuple[Conversation, ...]


Fronting = Callable[["constructs.Construct", Naming, str, Container], "Fronted | None"]
"""``(scope, naming, component, container)`` -> the container behind its sidecar, or None."""


def _nothing(*_: object) -> tuple[()]:
    return ()


def _always(_: Values) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class TierSpec(Generic[R]):
    """Everything a tier tells the rest of the release; every part but ``name`` is optional."""

    name: str
    enabled: Callable[[Values], bool] = _always
    """Whether the release has the tier; off, its charts are empty and it declares nothing."""
    charts: tuple[ChartSpec[R], ...] = ()
    secret_plans: Callable[[Values], Iterable[SecretPlan]] = _nothing
    """How each credential Secret the tier's pods read is made (generated, or the user's)."""
    kafka_clients: Callable[[Values], Iterable[KafkaClient]] = _nothing
    """What the tier's applications consume and produce (topics, users and ACLs derive from it)."""
    prerequisites: Callable[[R], Iterable[str]] = _nothing
    """What must exist outside the output for the tier (NOTES.txt)."""
    next_steps: Callable[[R], Iterable[str]] = _nothing
    """What an operator does once the output runs, e.g. register a cluster (NOTES.txt)."""
    routes: Callable[[R], Iterable[FrontDoorRoute]] = _nothing
    endpoints: Callable[[R], Iterable[Endpoint]] = _nothing
    """In-cluster APIs the tier offers the others (Koku's sources API to ROS's housekeeper)."""
    fronting: Callable[[R], Fronting] | None = None
    """The edge's: how a pod serving a front-door route gets its authenticating sidecar."""
    dashboard: Callable[[R, Sequence[PodOwner]], Iterable[DashboardRow]] = _nothing
    env_docs: tuple[EnvDoc, ...] = ()
