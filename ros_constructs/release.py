"""The release context every tier shares: values, platform, naming, images, data-store
connections, the registry of Secrets and ConfigMaps the built pods reference, and what every
tier declares (Secret plans, Kafka clients, front-door routes, prerequisites, dashboard rows).

One :class:`Release` is made per synthesis and handed to every chart; a tier asks it for names,
connections, pull settings and the other tiers' declarations instead of deriving them. It knows
the tiers only through their :class:`~ros_constructs.core.tier.TierSpec` (``app.TIERS``).
Plain Python: no Node at import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.metadata import version
from typing import TYPE_CHECKING

from .core.inventory import Inventory, PodOwner
from .core.messaging import KafkaClient
from .core.naming import Naming
from .core.platform import Platform, platform_for
from .core.pod import Container
from .core.references import References
from .core.secrets import SecretPlan, checked_plans, notes
from .core.tier import DashboardRow, Endpoint, FrontDoorRoute, Fronted, TierSpec
from .core.traffic import TrafficGraph, TrafficSettings
from .data.connections import Connections, connections
from .values import Values

if TYPE_CHECKING:
    import constructs


@cache
def library_version() -> str:
    """The installed ros-constructs version: the version label of objects that run no image."""
    return version("ros-constructs")


@dataclass(frozen=True, kw_only=True)
class MonitoringPlan:
    """What a release makes for Prometheus: ``values.monitoring`` resolved for the platform and
    the workers (KEDA's Prometheus trigger needs the recording rules whatever ``monitoring`` says)."""

    service_monitors: bool
    alerts: bool
    """The stack's alert rules (availability, Koku API and ingest, ROS)."""
    dashboards: bool
    worker_rules: bool
    """The ``koku:celery:<queue>_queue`` recording rules."""
    worker_alerts: bool
    labels: Mapping[str, str]
    """Extra labels on every ServiceMonitor and PrometheusRule."""
    interval: str
    runbooks: str
    prometheus_namespace: str

    @property
    def operator_objects(self) -> bool:
        """Some ServiceMonitor or PrometheusRule is in the output."""
        return self.service_monitors or self.alerts or self.worker_rules

    def runbook(self, section: str) -> str:
        """The URL of a runbook section (GitHub's anchor of a one-word heading is its lower case)."""
        return f"{self.runbooks}#{section.lower()}"


@dataclass(frozen=True, kw_only=True)
class Release:
    """What every construct of one release needs; build one per synthesis."""

    values: Values
    tiers: Sequence[TierSpec[Release]]
    """What the release is made of, in apply order (``app.TIERS``; ``app.new_release`` fills it in)."""
    references: References = field(default_factory=References)
    """Filled while constructs are built: what pods read and what the output provides."""

    @property
    def name(self) -> str:
        return self.values.release

    @property
    def namespace(self) -> str:
        return self.values.namespace

    @property
    def platform(self) -> Platform:
        return platform_for(self.values.platform)

    def naming(self, app: str, version: str) -> Naming:
        """Names and labels of one application (``app.kubernetes.io/name``) of this release."""
        return Naming(release=self.values.release, app=app, version=version)

    @cached_property
    def connections(self) -> Connections:
        return connections(self.values)

    @cached_property
    def monitoring(self) -> MonitoringPlan:
        v, workers = self.values, self.values.cost_management.workers
        m = v.monitoring
        on = m.enabled
        if on is None:
            on = self.platform.prometheus_operator or workers.scales_on_prometheus or workers.alerts.enabled is True
        alerts = on and m.alerts.enabled
        worker_alerts = workers.alerts.enabled
        if worker_alerts is None:
            worker_alerts = workers.scales_on_prometheus or alerts
        return MonitoringPlan(
            service_monitors=on and m.service_monitors.enabled,
            alerts=alerts,
            dashboards=on and m.dashboards.enabled,
            worker_rules=on or worker_alerts or workers.scales_on_prometheus,
            worker_alerts=worker_alerts,
            labels=m.labels,
            interval=m.service_monitors.interval,
            runbooks=m.alerts.runbook_base_url,
            prometheus_namespace=m.service_monitors.prometheus_namespace or self.platform.prometheus_namespace,
        )

    @cached_property
    def active_tiers(self) -> list[TierSpec[Release]]:
        """The tiers the values switch on; only they declare anything."""
        return [tier for tier in self.tiers if tier.enabled(self.values)]

    @cached_property
    def secret_plans(self) -> list[SecretPlan]:
        """How every credential Secret of the release is made, as the tiers declare (one plan per purpose)."""
        return checked_plans((p for tier in self.active_tiers for p in tier.secret_plans(self.values)), self.values)

    @cached_property
    def kafka_clients(self) -> list[KafkaClient]:
        """What each application that is on does with Kafka (topics and users derive from it)."""
        return [c for tier in self.active_tiers for c in tier.kafka_clients(self.values)]

    @cached_property
    def routes(self) -> list[FrontDoorRoute]:
        """The front door's paths, as the tiers declare them (in tier order)."""
        return [r for tier in self.active_tiers for r in tier.routes(self)]

    def route_at(self, prefix: str) -> FrontDoorRoute | None:
        """The route some tier serves at ``prefix``, if any."""
        return next((r for r in self.routes if r.prefix == prefix), None)

    def endpoint(self, name: str) -> Endpoint | None:
        """The in-cluster API some tier offers as ``name``, if any."""
        found = (e for tier in self.active_tiers for e in tier.endpoints(self) if e.name == name)
        return next(found, None)

    def front(
        self, scope: constructs.Construct, naming: Naming, component: str, container: Container
    ) -> Fronted | None:
        """``container`` behind the sidecar the edge puts in front of ``component`` (None: none)."""
        for tier in self.active_tiers:
            if tier.fronting is not None and (fronted := tier.fronting(self)(scope, naming, component, container)):
                return fronted
        return None

    def traffic(self, objects: Inventory) -> TrafficGraph:
        """Which pod of ``objects`` (an App's inventory) reaches which: the network policies and the
        topology picture both read it."""
        policies = self.values.edge.network_policies
        settings = TrafficSettings(
            release=self.name,
            platform=self.platform.name,
            api_server_ports=tuple(policies.api_server_ports),
            prometheus_namespace=self.monitoring.prometheus_namespace,
            ingress_namespaces=tuple(policies.ingress_namespaces or [self.platform.ingress_namespace]),
            store_cidrs=tuple(policies.store_cidrs),
            identity_provider_cidrs=tuple(policies.identity_provider_cidrs),
        )
        return TrafficGraph(settings, objects)

    def prerequisites(self) -> list[str]:
        """What must exist outside the output, as the tiers declare it (NOTES.txt)."""
        return [p for tier in self.active_tiers for p in tier.prerequisites(self)]

    def dashboard_rows(self, owners: Sequence[PodOwner]) -> list[DashboardRow]:
        """The rows the tiers add to the release's dashboard, joined by title and ranked."""
        rows: dict[str, list[DashboardRow]] = {}
        for row in sorted(
            (r for tier in self.active_tiers for r in tier.dashboard(self, owners)), key=lambda r: r.rank
        ):
            rows.setdefault(row.title, []).append(row)
        return [
            DashboardRow(title=title, rank=parts[0].rank, panels=[p for part in parts for p in part.panels])
            for title, parts in rows.items()
        ]

    def notes(self) -> str:
        """NOTES.txt: call after the charts are built (the reference registry is filled then)."""
        steps = [step for tier in self.active_tiers for step in tier.next_steps(self)]
        return notes(self.namespace, self.references, self.secret_plans, self.prerequisites(), steps)


@dataclass(frozen=True, kw_only=True)
class TierContext:
    """The base of a tier's helper object: its release, and the values, platform and data-store
    connections through it."""

    release: Release

    @property
    def values(self) -> Values:
        return self.release.values

    @property
    def platform(self) -> Platform:
        return self.release.platform

    @property
    def stores(self) -> Connections:
        return self.release.connections
