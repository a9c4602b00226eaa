"""Which pod reaches which, from what the charts built and what each workload declares it talks
to (:mod:`.conversations`); the edge writes the NetworkPolicies from it, the topology picture
draws it. Paths, each once with both of its ends:

* a pod reaches each Service of the output it declares, by name or as where a data store it
  declares is, on the Service's ports other than metrics (unless metrics is all it serves);
* a pod reaches each place outside the output it declares (a data store's, an identity
  provider, an RBAC service) on its port: its pods or namespace when known, the namespace a
  ``<service>.<namespace>.svc`` host names, otherwise the configured address ranges (never
  anywhere unless configured so);
* a pod that declares the Kubernetes API reaches it;
* every pod reaches the cluster DNS;
* Prometheus reaches every metrics port from its namespace;
* the edge reaches the ports that a Route, Ingress or HTTPRoute of the output sends traffic to:
  on OpenShift the routers' policy group for Routes and Ingresses, otherwise the ingress
  controller's or Gateway's namespaces.

Nothing is listed here: a component added to a tier gets its paths from its declarations.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from .conversations import (
    IDENTITY_PROVIDER,
    ApiServer,
    Conversation,
    Destination,
    InMessages,
    ServiceName,
    StoreConnection,
)
from .inventory import Emitted, Inventory, Json, PodOwner
from .naming import COMPONENT_LABEL, INSTANCE_LABEL

SELECTOR_LABELS = ("app.kubernetes.io/name", INSTANCE_LABEL, COMPONENT_LABEL)
ANY_ADDRESS: list[Json] = [{"ipBlock": {"cidr": "0.0.0.0/0"}}]
"""The Kubernetes API server: its address is the cluster's, not known to the output."""
SERVICE_HOST = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.(?P<namespace>[a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$"
)
"""A Service's cluster DNS name; its second label is the namespace the Service's pods run in."""
OPENSHIFT_INGRESS = {"namespaceSelector": {"matchLabels": {"policy-group.network.openshift.io/ingress": ""}}}
"""A host-network OpenShift router is only matched by its namespace's policy group."""
DNS = {
    "kubernetes": ({"kubernetes.io/metadata.name": "kube-system"}, {"k8s-app": "kube-dns"}, (53,)),
    "openshift": (
        {"kubernetes.io/metadata.name": "openshift-dns"},
        {"dns.operator.openshift.io/daemonset-dns": "default"},
        (53, 5353),
    ),
}
"""Namespace labels, pod labels and ports of the cluster DNS pods (the ports after the Service)."""


@dataclass(frozen=True, kw_only=True)
class Component:
    """The pods of one component: the policy's subject."""

    name: str
    selector: Mapping[str, str]
    owners: tuple[PodOwner, ...]


@dataclass(frozen=True, kw_only=True)
class Service:
    name: str
    selector: Mapping[str, str]
    ports: Mapping[int | str, str]
    """Service port number and name -> the target (container) port name."""


@dataclass
class Talks:
    """What one component's workloads declare, resolved: Services of the output (by name), places
    outside it (in the order declared, each once) and whether it calls the Kubernetes API."""

    services: set[str] = field(default_factory=set)
    outside: list[Destination] = field(default_factory=list)
    api_server: bool = False

    def add(self, talk: Conversation) -> None:
        if isinstance(talk, InMessages):
            talk = talk.store
        for place in talk.places if isinstance(talk, StoreConnection) else (talk,):
            if isinstance(place, ServiceName):
                self.services.add(place.name)
            elif isinstance(place, ApiServer):
                self.api_server = True
            elif place not in self.outside:
                self.outside.append(place)


@dataclass
class Rules:
    """The ingress and egress rules of one component; ingress grouped by port list."""

    callers: dict[tuple[str, ...], set[str]] = field(default_factory=lambda: defaultdict(set))
    """Ports -> the components of the release that call them."""
    outside: dict[tuple[str, ...], list[Json]] = field(default_factory=lambda: defaultdict(list))
    """Ports -> peers outside the release (Prometheus, the edge)."""
    egress: list[Json] = field(default_factory=list)

    def ingress(self, release: str) -> list[Json]:
        rules = []
        for ports in sorted({*self.callers, *self.outside}):
            callers = sorted(self.callers.get(ports, ()))
            peers = [components_peer(release, callers)] if callers else []
            rules.append({"from": [*peers, *self.outside.get(ports, [])], "ports": _ports(ports)})
        return rules


def components_peer(release: str, components: list[str]) -> Json:
    """Pods of the release with one of ``components`` (component names are unique in a release)."""
    if len(components) == 1:
        return {"podSelector": {"matchLabels": {INSTANCE_LABEL: release, COMPONENT_LABEL: components[0]}}}
    expression = {"key": COMPONENT_LABEL, "operator": "In", "values": components}
    return {"podSelector": {"matchLabels": {INSTANCE_LABEL: release}, "matchExpressions": [expression]}}


def _namespace(name: str) -> Json:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def _ports(names: Iterable[str | int], protocols: Iterable[str] = ("TCP",)) -> list[Json]:
    return [{"port": n, "protocol": p if p != "TCP" else None} for n in names for p in protocols]


@dataclass(frozen=True, kw_only=True)
class TrafficSettings:
    """What the paths depend on besides the inventory: the release, the platform's DNS and
    routers, where the Kubernetes API, Prometheus and the ingress controllers are, and the
    addresses of places outside the cluster known only by a host name."""

    release: str
    platform: str
    api_server_ports: tuple[int, ...]
    prometheus_namespace: str
    ingress_namespaces: tuple[str, ...]
    store_cidrs: tuple[str, ...]
    identity_provider_cidrs: tuple[str, ...]


class TrafficGraph:
    """Which component reaches which, derived from the inventory of an App."""

    def __init__(self, settings: TrafficSettings, objects: Inventory) -> None:
        self.settings = settings
        self.objects = objects
        self.components = self._components()
        self.services = [self._service(s) for s in objects.of_kind("Service")]
        self._pods = {s.name: self._select(s) for s in self.services}
        self.talks = self._talks()
        """Component -> what its workloads declare."""
        self.rules: dict[str, Rules] = {c: Rules() for c in self.components}
        self.calls: set[tuple[str, str]] = set()
        """(source, target) components: every path between pods of the release."""
        self.reaches: dict[str, list[Destination]] = defaultdict(list)
        """Component -> the places outside the output it reaches."""
        self._derive()

    def _components(self) -> dict[str, Component]:
        grouped: dict[str, list[PodOwner]] = defaultdict(list)
        for owner in self.objects.pod_owners():
            if owner.labels.get(INSTANCE_LABEL) == self.settings.release:
                grouped[owner.labels[COMPONENT_LABEL]].append(owner)
        found = {}
        for name, owners in sorted(grouped.items()):
            selectors = {tuple((k, o.labels[k]) for k in SELECTOR_LABELS) for o in owners}
            if len(selectors) != 1:
                raise ValueError(f"component {name!r} is made by pods of several applications: {sorted(selectors)}")
            found[name] = Component(name=name, selector=dict(selectors.pop()), owners=tuple(owners))
        return found

    def _talks(self) -> dict[str, Talks]:
        by_selector = {tuple(sorted(c.selector.items())): c.name for c in self.components.values()}
        talks = {name: Talks() for name in self.components}
        for declared in self.objects.conversations:
            name = by_selector.get(tuple(sorted(declared.selector.items())))
            if name is None:
                continue  # pods of another release in the same App
            for talk in declared.talks_to:
                talks[name].add(talk)
        return talks

    @staticmethod
    def _service(s: Emitted) -> Service:
        ports: dict[int | str, str] = {}
        for p in s.body["spec"]["ports"]:
            ports[p["port"]] = ports[p["name"]] = p["targetPort"]
        return Service(name=s.name, selector=s.body["spec"]["selector"], ports=ports)

    def pods_of(self, service: Service) -> list[Component]:
        return self._pods[service.name]

    def _select(self, service: Service) -> list[Component]:
        return [c for c in self.components.values() if all(c.selector.get(k) == v for k, v in service.selector.items())]

    def _scraped(self) -> dict[str, set[str]]:
        scraped: dict[str, set[str]] = defaultdict(set)
        for target in self.objects.scrape_targets:
            scraped[target.selector[COMPONENT_LABEL]].add(target.port)
        return scraped

    # -- the paths ------------------------------------------------------------------------------

    def _derive(self) -> None:
        scraped = self._scraped()
        for source in self.components.values():
            talks = self.talks[source.name]
            egress = self.rules[source.name].egress
            for service in self.services:
                if service.name not in talks.services:
                    continue
                for target in self.pods_of(service):
                    if target is source:
                        continue
                    served = set(service.ports.values())
                    # A metrics port is Prometheus' alone, unless the Service serves nothing else (Kruize).
                    reachable = sorted(served - scraped.get(target.name, set()) or served)
                    if reachable:
                        self.allow(source, target, reachable)
            for destination in talks.outside:
                self.reaches[source.name].append(destination)
                egress.append(self._to_destination(destination))
            if talks.api_server:
                egress.append({"to": ANY_ADDRESS, "ports": _ports(self.settings.api_server_ports)})
        for component, metrics in scraped.items():
            if component in self.rules:
                self.rules[component].outside[tuple(sorted(metrics))] += self._prometheus()
        for (component, sender), exposed in self._exposed().items():
            peers = [OPENSHIFT_INGRESS] if sender == "openshift-router" else self._ingress_controllers()
            self.rules[component].outside[tuple(sorted(exposed))] += peers

    def allow(self, source: Component, target: Component, ports: list[str]) -> None:
        """One path: the source's egress to the target's pods and the target's ingress from the source."""
        self.rules[source.name].egress.append(
            {"to": [components_peer(self.settings.release, [target.name])], "ports": _ports(ports)}
        )
        self.rules[target.name].callers[tuple(ports)].add(source.name)
        self.calls.add((source.name, target.name))

    def _to_destination(self, d: Destination) -> Json:
        service = SERVICE_HOST.match(d.token)
        namespace = d.namespace or (service["namespace"] if service else None)
        if d.pods is not None:
            peers: list[Json] = [{"podSelector": {"matchLabels": dict(d.pods)}}]
        elif namespace is not None:
            peers = [_namespace(namespace)]
        else:
            idp = d.what == IDENTITY_PROVIDER
            cidrs = self.settings.identity_provider_cidrs if idp else self.settings.store_cidrs
            peers = [{"ipBlock": {"cidr": cidr}} for cidr in cidrs]
        return {"to": peers, "ports": _ports([d.port]) if d.port else None}

    def _ingress_controllers(self) -> list[Json]:
        return [_namespace(n) for n in self.settings.ingress_namespaces]

    def dns(self) -> Json:
        namespace, pods, ports = DNS[self.settings.platform]
        peer = {"namespaceSelector": {"matchLabels": namespace}, "podSelector": {"matchLabels": pods}}
        return {"to": [peer], "ports": _ports(ports, ("UDP", "TCP"))}

    def _prometheus(self) -> list[Json]:
        """The namespace of the Prometheus that scrapes the release (``monitoring`` settles it)."""
        return [_namespace(self.settings.prometheus_namespace)]

    def _exposed(self) -> dict[tuple[str, str], set[str]]:
        """(component, who sends) -> the target ports that Routes, Ingresses and HTTPRoutes send
        traffic to. OpenShift's routers serve Routes and Ingresses from their policy group; an
        Ingress controller or a Gateway from the namespaces the settings name."""
        by_name = {s.name: s for s in self.services}
        exposed: dict[tuple[str, str], set[str]] = defaultdict(set)
        for kind, service_name, port in self.backends():
            service = by_name.get(service_name)
            target = port if kind == "Route" else service.ports.get(port) if service else None
            if service is None or target not in service.ports.values():
                continue  # a Service outside the output (an HTTPRoute may name one): not ours to open
            router = kind != "HTTPRoute" and self.settings.platform == "openshift"
            for pods in self.pods_of(service):
                exposed[(pods.name, "openshift-router" if router else "any")].add(str(target))
        return exposed

    def backends(self) -> Iterator[tuple[str, str, int | str]]:
        """(kind, Service, port) of every backend a Route, Ingress or HTTPRoute sends traffic to."""
        for route in self.objects.of_kind("Route"):
            yield "Route", route.body["spec"]["to"]["name"], route.body["spec"]["port"]["targetPort"]
        for ingress in self.objects.of_kind("Ingress"):
            for rule in ingress.body["spec"]["rules"]:
                for path in rule["http"]["paths"]:
                    svc = path["backend"]["service"]
                    yield "Ingress", svc["name"], svc["port"].get("number") or svc["port"]["name"]
        for route in self.objects.of_kind("HTTPRoute"):
            for rule in route.body["spec"]["rules"]:
                for ref in rule["backendRefs"]:
                    yield "HTTPRoute", ref["name"], ref["port"]
