"""The flow test (issue 22): follow an upload through the synthesized output, hop by hop, in each
mode (Cost+ROS, Cost-only, ROS-only) on both platforms and with each edge (none, the central
gateway, sidecars), plus Strimzi, an external object store and Gateway API.

A hop names its parties by role (``upload`` is whatever the front door's ``/api/ingress/`` leads
to); each address is what the program reads in its env (``flow.py`` holds those facts with their
citations), resolved to a Service of the output and the pods it selects, or to a place outside
it. Every hop is checked against the NetworkPolicies (test_network's evaluator), the declared
conversations and Kafka clients, and the programs' startup contracts.

The upload: front door -> (gateway ->) upload service -> its object store; announce topic ->
Koku's listener -> the presigned URL's store -> Koku's store; ``hccm.ros.events`` -> ROS's
processor -> the presigned URL's store -> Kruize; recommendations topic -> poller -> Kruize and
the database; front door -> ROS API -> database. The sources path: the housekeeper's Sources API
and the source events it consumes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from flow import (
    INGRESS_GO,
    KOKU,
    KRUIZE,
    MIGRATIONS,
    ROS_BACKEND,
    ROS_INGRESS,
    SOURCES_API_GO,
    Dangling,
    Output,
    Program,
    Target,
    closed,
    kafka_topic_exists,
    output,
    resolve,
    startup_problems,
    undeclared,
)
from test_network import EDGE, OPENSHIFT_ROUTER, Pod, allowed, outside
from test_startup_contracts import ROS_SUBCOMMANDS, subcommand

from ros_constructs.values import load

# --- the parties and the hops, as data -----------------------------------------------------------

PARTIES = {
    "listener": (KOKU, "listener"),
    "processor": (ROS_BACKEND, "rosocp-processor"),
    "poller": (ROS_BACKEND, "rosocp-recommendation-poller"),
    "housekeeper": (ROS_BACKEND, "rosocp-housekeeper"),
    "sources-api": (SOURCES_API_GO, "sources-api"),
    "koku-migrations": (KOKU, MIGRATIONS),
    "kruize": (KRUIZE, "kruize"),
}
"""Role -> (program, component); ``upload`` and ``ros-api`` are found through the front door,
``koku-writes`` is Koku's API taking writes (``api-writes``, or ``api`` when unified)."""
SUBCOMMANDS = {
    "processor": ("start", "processor"),
    "poller": ("start", "recommendation-poller"),
    "housekeeper": ("start", "housekeeper", "--sources"),
    "ros-api": ("start", "api"),
}
RECOMMENDATIONS = "/v1/recommendations/"
UPLOAD = "/api/ingress/"


@dataclass(frozen=True)
class Route:
    """The front door's ``prefix`` (``{api}``: the Cost Management prefix) reaches ``party``,
    which runs ``program``."""

    prefix: str
    party: str
    program: Program


@dataclass(frozen=True)
class Call:
    """``party`` reaches the address its ``setting`` names (``runs``: the program serving there)."""

    party: str
    setting: str
    runs: Program | None = None


@dataclass(frozen=True)
class Topic:
    """``producer`` produces the topic its ``produces`` setting names; ``consumer`` consumes
    the one its ``consumes`` setting names."""

    producer: str
    produces: str
    consumer: str
    consumes: str


@dataclass(frozen=True)
class Presigned:
    """``fetcher`` GETs URLs presigned for the object store ``signer`` is configured with."""

    fetcher: str
    signer: str


@dataclass(frozen=True)
class Starts:
    """``party``, which the flow needs but calls no one on it, starts with what its pod is given."""

    party: str


Hop = Route | Call | Topic | Presigned | Starts
Obj = dict[str, Any]


@dataclass(frozen=True)
class Mode:
    name: str
    cost: bool
    ros: bool
    sets: tuple[str, ...]


MODES = [
    Mode("cost+ros", cost=True, ros=True, sets=()),
    Mode("cost-only", cost=True, ros=False, sets=("ros.enabled=false",)),
    Mode("ros-only", cost=False, ros=True, sets=("costManagement.enabled=false",)),
]


def upload_path(mode: Mode) -> list[Hop]:
    """Upstream contracts section 8: the upload service is insights-ingress-go with Koku,
    insights-ros-ingress (straight to ROS) without it."""
    hops: list[Hop] = [
        *([Starts("koku-migrations")] if mode.cost else []),
        *([Starts("kruize")] if mode.ros else []),
        Route(UPLOAD, "upload", INGRESS_GO if mode.cost else ROS_INGRESS),
        Call("upload", "object_store"),
    ]
    if mode.cost:
        hops += [
            Topic("upload", "announces", "listener", "consumes"),
            Presigned(fetcher="listener", signer="upload"),
            Call("listener", "object_store"),
        ]
    if mode.cost and mode.ros:
        hops += [Topic("listener", "announces", "processor", "consumes"), Presigned("processor", signer="listener")]
    if not mode.cost:
        hops += [Topic("upload", "announces", "processor", "consumes"), Presigned("processor", signer="upload")]
    if mode.ros:
        hops += [
            Call("processor", "kruize", runs=KRUIZE),
            Topic("processor", "recommendations", "poller", "recommendations"),
            Call("poller", "kruize", runs=KRUIZE),
            Call("poller", "database"),
            Route("{api}" + RECOMMENDATIONS, "ros-api", ROS_BACKEND),
            Call("ros-api", "database"),
        ]
    return hops


def sources_path(mode: Mode) -> list[Hop]:
    """With Koku, its API serves the Sources API the housekeeper asks (upstream contracts 6, 7)
    and publishes source deletions; ROS-only keeps sources-api-go for the housekeeper."""
    if not mode.ros:
        return []
    if mode.cost:
        return [
            Call("housekeeper", "sources_api", runs=KOKU),
            Topic("koku-writes", "source_events", "housekeeper", "source_events"),
        ]
    return [
        Call("housekeeper", "sources_api", runs=SOURCES_API_GO),
        Topic("sources-api", "source_events", "housekeeper", "source_events"),
    ]


# --- the values sets ------------------------------------------------------------------------------

ISSUER = "edge.auth.jwt.issuer=https://id.example.com/realms/cost"
EDGES: dict[str, dict[str, tuple[str, ...]]] = {
    "none": {"kubernetes": (), "openshift": ()},
    "gateway": {
        "kubernetes": (
            "edge.exposure.type=ingress",
            "edge.exposure.host=cost.example.com",
            "edge.auth.mode=gateway",
            ISSUER,
        ),
        "openshift": ("edge.exposure.type=route", "edge.auth.mode=gateway", ISSUER),
    },
    "sidecars": {
        "kubernetes": (
            "edge.exposure.type=ingress",
            "edge.exposure.host=cost.example.com",
            "edge.auth.mode=sidecars",
            ISSUER,
        ),
        "openshift": (
            "edge.exposure.type=route",
            "edge.exposure.host=cost.apps.example.com",
            "edge.auth.mode=sidecars",
            ISSUER,
        ),
    },
}
CASES = [
    pytest.param(
        mode, (f"platform={platform}", *mode.sets, *EDGES[edge][platform]), id=f"{mode.name}-{platform}-{edge}"
    )
    for mode in MODES
    for platform in ("kubernetes", "openshift")
    for edge in EDGES
]
CASES += [
    pytest.param(mode, (*mode.sets, *extra), id=f"{mode.name}-{name}")
    for mode in MODES
    for name, extra in {
        "strimzi": ("kafka.mode=strimzi", "kafka.strimzi.broker.deploy=true"),
        "external-object-store": (
            "objectStorage.mode=external",
            "objectStorage.external.endpoint=https://s3.example.internal:8443",
        ),
        "gateway-api": (
            "edge.exposure.type=gatewayApi",
            "edge.exposure.host=cost.example.com",
            "edge.auth.mode=gateway",
            ISSUER,
            "edge.networkPolicies.ingressNamespaces=[elsewhere]",  # where the flow's Gateway pods run
        ),
    }.items()
]


# --- the checks -------------------------------------------------------------------------------------


class Walk:
    """One mode's walk through one output: parties found so far and every problem, one line each."""

    def __init__(self, out: Output) -> None:
        self.out = out
        self.parties: dict[str, tuple[Program, str]] = dict(PARTIES)
        writes = "api-writes" if "api-writes" in out.pods else "api"
        self.parties["koku-writes"] = (KOKU, writes)
        self.problems: list[str] = []

    def fail(self, hop: Hop, message: str) -> None:
        self.problems.append(f"{describe(hop)}: {message}")

    def party(self, hop: Hop, role: str) -> tuple[Program, str, Pod, Any] | None:
        """The program, component, pod and env of ``role``, after checking it runs that program
        and, for ros-ocp-backend, the subcommand the role needs (test_startup_contracts)."""
        if role not in self.parties:
            self.fail(hop, f"no {role}: an earlier hop did not find it")
            return None
        program, component = self.parties[role]
        pod = self.out.pods.get(component)
        if pod is None:
            self.fail(hop, f"{role}: no pod {component} in the output")
            return None
        if self.out.program(component) is not program:
            self.fail(hop, f"{role}: pod {component} runs {self.out.image[component]}, not {program.name}")
            return None
        if role in SUBCOMMANDS:
            command = subcommand(self.out.owner(component))
            if command != SUBCOMMANDS[role] or command not in ROS_SUBCOMMANDS:
                self.fail(
                    hop, f"{role}: pod {component} runs rosocp {' '.join(command)}, not {' '.join(SUBCOMMANDS[role])}"
                )
                return None
        env = self.out.env[component]
        for problem in startup_problems(self.out, program, component, env):
            self.fail(hop, f"{role}: pod {component}: {problem}")
        return program, component, pod, env

    def reach(self, hop: Hop, component: str, pod: Pod, target: Target) -> None:
        for problem in [*closed(self.out, pod, target), *undeclared(self.out, component, target)]:
            self.fail(hop, problem)

    def address(self, hop: Hop, role: str, setting: str) -> tuple[str, Pod, Target] | None:
        found = self.party(hop, role)
        if found is None:
            return None
        program, component, pod, env = found
        value = program.settings[setting].read(env)
        try:
            return component, pod, resolve(self.out, value, env)
        except Dangling as err:
            self.fail(hop, f"{component} {setting} ({program.settings[setting].cite}): {err}")
            return None

    # -- one function per kind of hop

    def route(self, hop: Route) -> None:
        prefix = hop.prefix.format(api=self.out.values.cost_management.api.path_prefix)
        declared = self.out.release.route_at(prefix)
        if declared is None:
            self.fail(hop, f"no front-door route is declared at {prefix}")
            return
        try:
            target = resolve(self.out, f"{declared.service}:{declared.port}", {})
        except Dangling as err:
            self.fail(hop, str(err))
            return
        if len(target.pods) != 1:
            self.fail(hop, f"Service {declared.service} selects {target.components}, not one component")
            return
        self.parties[hop.party] = (hop.program, target.components[0])
        if self.party(hop, hop.party) is None:
            return
        for caller, service, port in front_door(self.out, prefix):
            try:
                entry = resolve(self.out, f"{service}:{port}", {})
            except Dangling as err:
                self.fail(hop, f"the edge's backend: {err}")
                continue
            self.reach_from(hop, caller, entry)
            self.through_gateway(hop, prefix, entry, target)

    def reach_from(self, hop: Hop, caller: Pod, target: Target) -> None:
        for pod, port in target.pods:
            if not allowed(self.out.policies, caller, pod, port):
                self.fail(hop, f"NetworkPolicy closes the edge ({caller.namespace}) -> {pod.name}:{port}")

    def through_gateway(self, hop: Hop, prefix: str, entry: Target, target: Target) -> None:
        """When the edge's backend is the central Envoy gateway, its route for ``prefix`` leads to ``target``."""
        for pod, _ in entry.pods:
            config = envoy_config(self.out, pod.name)
            if config is None or pod.name in target.components:
                continue
            address = envoy_upstream(config, prefix)
            if address == LOOPBACK:
                continue  # a sidecar in front of its own application
            if address is None:
                self.fail(hop, f"gateway {pod.name} has no route for {prefix}")
                continue
            try:
                upstream = resolve(self.out, address, {})
            except Dangling as err:
                self.fail(hop, f"gateway {pod.name}: {err}")
                continue
            if upstream.service != target.service:
                self.fail(hop, f"gateway {pod.name} sends {prefix} to {address}, not Service {target.service}")
            self.reach(hop, pod.name, pod, upstream)

    def call(self, hop: Call) -> None:
        found = self.address(hop, hop.party, hop.setting)
        if found is None:
            return
        component, pod, target = found
        self.reach(hop, component, pod, target)
        if hop.runs is not None:
            wrong = [c for c in target.components if self.out.program(c) is not hop.runs]
            if wrong or not target.pods:
                self.fail(
                    hop, f"{target.address} leads to {wrong or target.address}, which does not run {hop.runs.name}"
                )
        if hop.setting == "sources_api":
            self.sources_prefix(hop, target)

    def sources_prefix(self, hop: Call, target: Target) -> None:
        """The housekeeper's ``SOURCES_API_PREFIX`` is a prefix the server serves: Koku's
        ``API_PATH_PREFIX`` + ``/v1``, or sources-api-go's."""
        env = self.out.env[self.parties["housekeeper"][1]]
        wanted = ROS_BACKEND.settings["sources_prefix"].read(env)
        for component in target.components:
            program = self.out.program(component)
            if program is KOKU:
                served = KOKU.settings["api_prefix"].read(self.out.env[component]).rstrip("/") + "/v1"
            elif program is SOURCES_API_GO:
                served = SOURCES_API_GO.settings["serves"].read({})
            else:
                continue
            if wanted != served:
                self.fail(hop, f"SOURCES_API_PREFIX is {wanted}, {component} serves {served}")

    def topic(self, hop: Topic) -> None:
        ends = [self.party(hop, hop.producer), self.party(hop, hop.consumer)]
        if None in ends:
            return
        (producer, p_component, p_pod, p_env), (consumer, c_component, c_pod, c_env) = ends  # type: ignore[misc]
        produced, consumed = producer.settings[hop.produces].read(p_env), consumer.settings[hop.consumes].read(c_env)
        if produced != consumed:
            self.fail(hop, f"{p_component} produces {produced}, {c_component} consumes {consumed}")
        if not kafka_topic_exists(self.out, produced or ""):
            self.fail(hop, f"no KafkaTopic {produced} and the brokers do not create topics")
        for program, component, pod, env, uses in (
            (producer, p_component, p_pod, p_env, "produces"),
            (consumer, c_component, c_pod, c_env, "consumes"),
        ):
            topic = produced if uses == "produces" else consumed
            if not any(
                topic in getattr(u, uses)
                for c in self.out.release.kafka_clients
                for u in c.uses
                if u.component == component
            ):
                self.fail(hop, f"no Kafka client declares that {component} {uses} {topic}")
            try:
                bootstrap = resolve(self.out, program.settings["kafka"].read(env), env)
            except Dangling as err:
                self.fail(hop, f"{component} Kafka bootstrap ({program.settings['kafka'].cite}): {err}")
                continue
            self.reach(hop, component, pod, bootstrap)

    def presigned(self, hop: Presigned) -> None:
        signer = self.address(hop, hop.signer, "object_store")
        fetcher = self.party(hop, hop.fetcher)
        if signer is None or fetcher is None:
            return
        _, component, pod, _ = fetcher
        self.reach(hop, component, pod, signer[2])

    def walk(self, hops: list[Hop]) -> list[str]:
        checks: dict[type, Callable[[Any], object]] = {
            Route: self.route,
            Call: self.call,
            Topic: self.topic,
            Presigned: self.presigned,
            Starts: lambda hop: self.party(hop, hop.party),
        }
        for hop in hops:
            checks[type(hop)](hop)
        return self.problems


def describe(hop: Hop) -> str:
    if isinstance(hop, Route):
        return f"front door {hop.prefix} -> {hop.party}"
    if isinstance(hop, Call):
        return f"{hop.party} -> its {hop.setting}"
    if isinstance(hop, Topic):
        return f"{hop.producer} -[{hop.produces}]-> {hop.consumer}"
    if isinstance(hop, Starts):
        return f"{hop.party} starts"
    return f"{hop.fetcher} -> presigned URL of {hop.signer}'s object store"


def front_door(out: Output, prefix: str) -> list[tuple[Pod, str, int | str]]:
    """(edge pod, Service, port) of the longest path covering ``prefix`` of each kind of exposing
    object: Ingress, HTTPRoute, Route (none with ``exposure.type none``)."""
    found: dict[str, tuple[int, list[tuple[Pod, str, int | str]]]] = {}

    def offer(kind: str, path: str, backends: list[tuple[Pod, str, int | str]]) -> None:
        if covers(path, prefix) and len(path) > found.get(kind, (-1, []))[0]:
            found[kind] = (len(path), backends)

    for obj in out.docs:
        spec = obj.get("spec", {})
        if obj["kind"] == "Ingress":
            for path in (p for rule in spec["rules"] for p in rule["http"]["paths"]):
                backend = path["backend"]["service"]
                offer("Ingress", path["path"], [(EDGE, backend["name"], next(iter(backend["port"].values())))])
        elif obj["kind"] == "HTTPRoute":
            gateway = outside("gateway", spec["parentRefs"][0].get("namespace", "elsewhere"))
            for rule in spec["rules"]:
                backends = [(gateway, ref["name"], ref["port"]) for ref in rule["backendRefs"]]
                for match in rule.get("matches", []):
                    offer("HTTPRoute", match["path"]["value"], backends)
        elif obj["kind"] == "Route":
            backend = (OPENSHIFT_ROUTER, spec["to"]["name"], spec["port"]["targetPort"])
            offer("Route", spec.get("path", "/"), [backend])
    return [(caller, s, service_port(out, s, port)) for _, backends in found.values() for caller, s, port in backends]


def covers(path: str, prefix: str) -> bool:
    return prefix.startswith(path.rstrip("/") + "/") or prefix.rstrip("/") == path.rstrip("/")


def service_port(out: Output, service: str, port: int | str) -> int | str:
    """A Service port by number, or by the name (a Route's targetPort) of its port or target port."""
    for entry in out.services().get(service, {}).get("spec", {}).get("ports", []):
        if port in (entry["port"], entry.get("name"), entry["targetPort"]):
            return int(entry["port"])
    return port


def envoy_config(out: Output, component: str) -> Obj | None:
    """The Envoy configuration a pod mounts (a ConfigMap with ``envoy.yaml``), if any."""
    owner = out.owner(component)
    names = {v["configMap"]["name"] for v in owner["spec"]["template"]["spec"].get("volumes", []) if "configMap" in v}
    for obj in out.docs:
        if obj["kind"] == "ConfigMap" and obj["metadata"]["name"] in names and "envoy.yaml" in obj.get("data", {}):
            config: Obj = yaml.safe_load(obj["data"]["envoy.yaml"])
            return config
    return None


def envoy_upstream(config: Obj, prefix: str) -> str | None:
    """``host:port`` of the cluster Envoy's first matching route sends ``prefix`` to (None: no
    route; :data:`LOOPBACK`: a sidecar's own application)."""
    for listener in config["static_resources"]["listeners"]:
        for chain in listener["filter_chains"]:
            for f in chain["filters"]:
                for host in f["typed_config"].get("route_config", {}).get("virtual_hosts", []):
                    for route in host["routes"]:
                        if prefix.startswith(route["match"].get("prefix", "\0")):
                            return cluster_address(config, route["route"]["cluster"])
    return None


def cluster_address(config: Obj, name: str) -> str:
    (cluster,) = [c for c in config["static_resources"]["clusters"] if c["name"] == name]
    address = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"]
    return LOOPBACK if address["address"].startswith("127.") else f"{address['address']}:{address['port_value']}"


LOOPBACK = "loopback"


GONE_WITH_KOKU = ("sources-api", "sources-listener", "sources-client")
"""The SaaS sources model (upstream contracts 7, Sources on-prem): Koku serves sources on-prem."""


@pytest.mark.parametrize(("mode", "sets"), CASES)
def test_an_upload_flows_through_every_hop(mode: Mode, sets: tuple[str, ...]) -> None:
    out = output(load([], list(sets)))
    problems = Walk(out).walk(upload_path(mode))
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(("mode", "sets"), CASES)
def test_the_sources_path_is_whole(mode: Mode, sets: tuple[str, ...]) -> None:
    out = output(load([], list(sets)))
    problems = Walk(out).walk(sources_path(mode))
    if mode.cost:
        problems += [f"{c} runs, but Koku serves sources on-prem" for c in GONE_WITH_KOKU if c in out.pods]
    assert problems == [], "\n".join(problems)


def test_a_mode_is_what_its_values_say() -> None:
    """The modes' values: Cost-only has no ROS pod, ROS-only no Koku pod."""
    for mode in MODES:
        out = output(load([], list(mode.sets)))
        programs = {out.program(c) for c in out.pods}
        assert (KOKU in programs) == mode.cost, mode.name
        assert (ROS_BACKEND in programs) == mode.ros, mode.name
