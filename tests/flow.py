"""The facts and the plumbing of the flow test (``test_flow.py``): what each program reads to
find the next party of an upload, and how a host read from a pod's env becomes the pods (or the
place outside the release) it reaches, asked of the NetworkPolicies with Kubernetes semantics.

Citation keys as in ``shared/reference/upstream-contracts.md`` (IG: insights-ingress-go; sections
1, 6, 7, 8 there). Others are given in full: KO=project-koku/koku@d8055ac (the pinned image),
ROS=RedHatInsights/ros-ocp-backend@ae8c990 (the pinned image), SAG=RedHatInsights/sources-api-go@0011d0f.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from conftest import container_env, render
from dangling import in_cluster
from test_network import ODF, Pod, allowed, outside, release_pods

from ros_constructs.app import new_release
from ros_constructs.core.conversations import Destination
from ros_constructs.core.traffic import TrafficGraph
from ros_constructs.release import Release
from ros_constructs.values import Values

Obj = dict[str, Any]


@dataclass(frozen=True)
class Setting:
    """Where a program reads one address or name: env names (several are joined ``host:port``),
    its default when unset (None: fixed in code, always ``default``) and the citation."""

    env: tuple[str, ...]
    default: str | None
    cite: str

    def read(self, env: Obj) -> Any:
        if not self.env:
            return self.default
        values = [env.get(name) for name in self.env]
        if any(v is None for v in values):
            return self.default
        if len(values) == 1:
            return values[0]
        return ":".join(str(v) for v in values)


def fixed(value: str, cite: str) -> Setting:
    return Setting((), value, cite)


@dataclass(frozen=True, eq=False)
class Program:
    """One upstream program: how a pod running it is recognised (its image), and the settings
    the flow reads, by role (``kafka``, ``object_store``, topics, peers)."""

    name: str
    images: tuple[str, ...]
    """``values.images`` fields whose reference the main container runs, or image repositories."""
    settings: dict[str, Setting] = field(default_factory=dict)

    def runs_in(self, image: str, values: Values) -> bool:
        refs = {getattr(values.images, i).ref for i in self.images if hasattr(values.images, i)}
        repository = image.rsplit("@", 1)[0].rsplit(":", 1)[0]
        return image in refs or any(repository.endswith("/" + i) for i in self.images)


INGRESS_GO = Program(
    "insights-ingress-go",
    # The cost-onprem chart runs quay.io/iop/ingress (CH:values:513-514).
    ("ingress_go", "insights-ingress-go", "iop/ingress"),
    {
        "kafka": Setting(("INGRESS_KAFKABROKERS",), None, "IG:config.go:114-118"),
        "announces": Setting(("INGRESS_KAFKAANNOUNCETOPIC",), "platform.upload.announce", "IG:config.go:114-118"),
        "object_store": Setting(("INGRESS_MINIOENDPOINT",), None, "IG:config.go:240-247; s3compat.go:19-38"),
    },
)
"""Stores each upload in its bucket and announces a URL presigned for ``INGRESS_MINIOENDPOINT``
(IG:s3compat.go:41-72)."""
ROS_INGRESS = Program(
    "insights-ros-ingress",
    ("ros_ingress",),
    {
        "kafka": Setting(("KAFKA_BROKERS",), None, "ros-helm-chart.md 2.8 (KAFKA_BROKERS)"),
        "announces": Setting(("KAFKA_ROS_TOPIC",), None, "upstream-contracts 8.8; ros-helm-chart.md (KAFKA_ROS_TOPIC)"),
        "object_store": Setting(("STORAGE_ENDPOINT",), None, "ros-helm-chart.md (STORAGE_ENDPOINT)"),
    },
)
"""The ROS chart's upload service: publishes the ROS CSVs' presigned URLs straight to ``hccm.ros.events``."""
KOKU = Program(
    "koku",
    ("koku",),
    {
        "kafka": Setting(
            ("INSIGHTS_KAFKA_HOST", "INSIGHTS_KAFKA_PORT"), "localhost:29092", "KO:koku/koku/configurator.py:217-221"
        ),
        "object_store": Setting(
            ("S3_ENDPOINT",), "s3.us-east-1.amazonaws.com", "KO:koku/koku/configurator.py:273-278; settings.py:616"
        ),
        "consumes": fixed("platform.upload.announce", "KO:koku/kafka_utils/utils.py:19; kafka_msg_handler.py:825"),
        "announces": fixed("hccm.ros.events", "KO:koku/kafka_utils/utils.py:22; ros_report_shipper.py:27-44,136"),
        "source_events": fixed(
            "platform.sources.event-stream", "KO:koku/kafka_utils/utils.py:24; kafka_publisher.py:106"
        ),
        "api_prefix": Setting(("API_PATH_PREFIX",), "/api", "KO:koku/koku/settings.py:378; koku/urls.py:14-22 (+ v1)"),
    },
)
"""The listener downloads the announced URL (KO:kafka_msg_handler.py:285-295), ships ROS CSVs to
its S3 endpoint and announces URLs presigned for it; the API publishes source deletions."""
ROS_BACKEND = Program(
    "ros-ocp-backend",
    ("ros",),
    {
        "kafka": Setting(("KAFKA_BOOTSTRAP_SERVERS",), "localhost:29092", "ROS:internal/config/config.go:28,173"),
        "consumes": Setting(("UPLOAD_TOPIC",), "hccm.ros.events", "ROS:config.go:31,174; cmd/start.go:26"),
        "recommendations": Setting(
            ("RECOMMENDATION_TOPIC",), "rosocp.kruize.recommendations", "ROS:config.go:32,175; cmd/start.go:37"
        ),
        "source_events": Setting(
            ("SOURCES_EVENT_TOPIC",), "platform.sources.event-stream", "ROS:config.go:33,176; sourcesCleaner.go:34"
        ),
        "kruize": Setting(("KRUIZE_URL",), "http://localhost:8080", "ROS:config.go:44,236-238"),
        "database": Setting(("DB_HOST", "DB_PORT"), "localhost:15432", "ROS:config.go:185-199"),
        "sources_api": Setting(("SOURCES_API_BASE_URL",), "http://127.0.0.1:8002", "ROS:config.go:77,211"),
        "sources_prefix": Setting(("SOURCES_API_PREFIX",), "/api/sources/v3.1", "ROS:config.go:78,228"),
    },
)
"""The processor GETs each presigned URL with no credentials (ROS:internal/utils/utils.go:193)."""
SOURCES_API_GO = Program(
    "sources-api-go",
    ("sources",),
    {
        "kafka": Setting(("QUEUE_HOST", "QUEUE_PORT"), None, "ros-helm-chart.md (sources-api QUEUE_HOST)"),
        "source_events": fixed("platform.sources.event-stream", "upstream-contracts 6 (Koku's topic names)"),
        "serves": fixed("/api/sources/v3.1", "SAG:routes.go:43-46"),
    },
)
KRUIZE = Program("kruize", ("kruize",))
PROGRAMS = (INGRESS_GO, ROS_INGRESS, KOKU, ROS_BACKEND, SOURCES_API_GO, KRUIZE)


# --- the output, read once per values ----------------------------------------------------------


@dataclass
class Output:
    """One synthesized values set: its objects, policies, pods (by component) with their main
    container's env and program, and the release's declarations."""

    values: Values
    docs: list[Obj]
    release: Release
    graph: TrafficGraph
    pods: dict[str, Pod]
    env: dict[str, Obj]
    image: dict[str, str]
    policies: list[Obj]

    def program(self, component: str) -> Program | None:
        image = self.image.get(component, "")
        return next((p for p in PROGRAMS if p.runs_in(image, self.values)), None)

    def owner(self, component: str) -> Obj:
        return next(o for o in self.docs if o["kind"] in POD_KINDS and o["metadata"]["labels"][COMPONENT] == component)

    def services(self) -> dict[str, Obj]:
        return {o["metadata"]["name"]: o for o in self.docs if o["kind"] == "Service"}


COMPONENT = "app.kubernetes.io/component"
POD_KINDS = ("Deployment", "StatefulSet", "Job", "CronJob")
_OUTPUTS: dict[str, Output] = {}


def output(values: Values) -> Output:
    key = values.model_dump_json()
    if key not in _OUTPUTS:
        from conftest import inventory_of

        docs = [o for chart in render(values).values() for o in chart]
        release = new_release(values)
        env, image = {}, {}
        for obj in docs:
            if obj["kind"] in POD_KINDS:
                component = obj["metadata"]["labels"][COMPONENT]
                env[component] = container_env(obj, docs)
                spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
                image[component] = spec["template"]["spec"]["containers"][0]["image"]
        _OUTPUTS[key] = Output(
            values=values,
            docs=docs,
            release=release,
            graph=release.traffic(inventory_of(values)),
            pods={p.name: p for p in release_pods(docs)},
            env=env,
            image=image,
            policies=[o for o in docs if o["kind"] == "NetworkPolicy"],
        )
    return _OUTPUTS[key]


# --- startup contracts ----------------------------------------------------------------------------

MIGRATIONS = "db-migrate"
"""Koku's migrations Job component: the database every Koku hop uses is migrated by it."""


def startup_problems(out: Output, program: Program, component: str, env: Obj) -> list[str]:
    """Why ``program`` would not start (or not serve the flow) with ``env``; the facts and their
    citations are test_startup_contracts's."""
    problems = []
    if program is KOKU:
        if "DATABASE_SERVICE_NAME" in env and env.get("DATABASE_ENGINE") != "postgresql":
            problems.append("DATABASE_SERVICE_NAME without DATABASE_ENGINE=postgresql: Koku exits at import")
        if component == MIGRATIONS and str(env.get("ONPREM")) != "True":
            problems.append("migrations without ONPREM=True: api.0039 grants to the missing role hive")
    if program is KRUIZE:
        if str(env.get("local", "false")).lower() != "false":
            problems.append("local is on: Kruize sets up datasources and fails without one")
        endpoint = str(env.get("monitoringendpoint", ""))
        if not endpoint:
            problems.append("no monitoringendpoint: Kruize looks its datasource up through the API server")
        elif re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?", endpoint):
            try:
                resolve(out, endpoint, env)
            except Dangling as err:
                problems.append(f"monitoringendpoint names a host: {err}")
    return problems


# --- hosts -> targets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where an address leads: pods of the release on a port name (through ``service``), or a
    place outside it (``place``, a pod stand-in; ``external``: only an address, no pod)."""

    address: str
    port: int
    service: str | None = None
    pods: tuple[tuple[Pod, str], ...] = ()
    place: Pod | None = None
    external: bool = False

    @property
    def components(self) -> list[str]:
        return [pod.name for pod, _ in self.pods]


class Dangling(Exception):
    """An address that leads nowhere: the message says which and why."""


BUCKET_CLAIM_KEYS = {"BUCKET_HOST": "host", "BUCKET_PORT": "port"}
ODF_PORT = 443
"""What an ObjectBucketClaim's ConfigMap holds: ODF's S3 Service in openshift-storage, https (test_network.ODF)."""
_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def resolve(out: Output, value: Any, env: Obj) -> Target:
    """The target of one address as a program reads it: a URL, ``host:port``, a ``$(VAR)``
    reference or a key of an ObjectBucketClaim's ConfigMap (ODF, filled by its operator)."""
    claims = {o["metadata"]["name"] for o in out.docs if o["kind"] == "ObjectBucketClaim"}
    if isinstance(value, str):
        refs = [env.get(v) for v in _VAR.findall(value)]
        value = next((r for r in refs if isinstance(r, dict)), value)
    if isinstance(value, dict):
        ref = value.get("configMapKeyRef", {})
        if ref.get("name") in claims and ref.get("key") in BUCKET_CLAIM_KEYS:
            return Target(address=f"ObjectBucketClaim {ref['name']} (ODF)", port=ODF_PORT, place=ODF)
        raise Dangling(f"{value} is not an address the output or an operator fills")
    if not isinstance(value, str) or not value:
        raise Dangling(f"no address (read {value!r})")
    first = value.split(",")[0].strip()
    parts = urlsplit(first if "://" in first else f"//{first}")
    host, scheme = parts.hostname or "", parts.scheme
    port = parts.port or (443 if scheme == "https" else 80 if scheme == "http" else None)
    if port is None:
        raise Dangling(f"{value}: no port")
    found = in_cluster(host, out.release.namespace, bare=True)
    if found is None:
        if host in ("", "localhost") or host.startswith("127."):
            raise Dangling(f"{value}: the pod itself (an unset setting's default)")
        return Target(address=value, port=port, place=outside("external", "elsewhere"), external=True)
    name, namespace = found
    service = out.services().get(name)
    if namespace == out.release.namespace and service is not None:
        return _through_service(out, value, service, port)
    place = _declared_place(out, host, namespace)
    if place is None:
        raise Dangling(
            f"{value}: no Service {name} in namespace {namespace} (the output has none, no operator makes it)"
        )
    return Target(address=value, port=port, place=place)


def _through_service(out: Output, address: str, service: Obj, port: int) -> Target:
    entry = next((p for p in service["spec"]["ports"] if p["port"] == port), None)
    name = service["metadata"]["name"]
    if entry is None:
        raise Dangling(f"{address}: Service {name} has no port {port}")
    selector = service["spec"]["selector"].items()
    pods = []
    for pod in out.pods.values():
        if selector <= dict(pod.labels).items():
            target_port = entry["targetPort"]
            names = {n for n, number in pod.ports if target_port in (n, number)}
            if not names:
                raise Dangling(
                    f"{address}: Service {name} sends port {port} to {target_port}, pod {pod.name} opens none"
                )
            pods.append((pod, names.pop()))
    if not pods:
        raise Dangling(f"{address}: Service {name} selects no pod of the output")
    return Target(address=address, port=port, service=name, pods=tuple(pods))


def _declared_place(out: Output, host: str, namespace: str) -> Pod | None:
    """A host outside the output's Services: the place a data-store connection declares for it
    (Strimzi's brokers by pod labels) or a Service of another namespace."""
    connections = out.release.connections
    for store in (connections.kafka, connections.object_storage, connections.database, connections.cache):
        for place in store.places:
            if isinstance(place, Destination) and place.token == host and place.pods:
                labels = tuple(sorted(place.pods.items()))
                ns = place.namespace or out.release.namespace
                return Pod(
                    name=host, namespace=ns, labels=labels, namespace_labels=(("kubernetes.io/metadata.name", ns),)
                )
    return outside(host, namespace) if namespace != out.release.namespace else None


# --- the checks of one step ---------------------------------------------------------------------


def closed(out: Output, source: Pod, target: Target) -> list[str]:
    """What the NetworkPolicies keep ``source`` from reaching ``target`` (empty: open)."""
    if target.pods:
        return [
            f"NetworkPolicy closes {source.name} -> {pod.name}:{port}"
            for pod, port in target.pods
            if pod is not source and not allowed(out.policies, source, pod, port)
        ]
    assert target.place is not None
    place = replace(target.place, ports=(("port", target.port),))
    if not target.external and allowed(out.policies, source, place, "port"):
        return []
    if _ip_block_egress(out.policies, source, target.port):
        return []
    where = "an address outside the cluster" if target.external else f"namespace {place.namespace}"
    return [f"no egress rule lets {source.name} reach {target.address} ({where}, port {target.port})"]


def _ip_block_egress(policies: list[Obj], source: Pod, port: int) -> bool:
    """Some egress rule of ``source`` allows an address block on ``port`` (or it is not isolated)."""
    selecting = [
        p
        for p in policies
        if "Egress" in p["spec"]["policyTypes"]
        and source.matches(p["spec"]["podSelector"])
        and p["metadata"]["namespace"] == source.namespace
    ]
    if not selecting:
        return True
    return any(
        any("ipBlock" in peer for peer in rule.get("to") or [{"ipBlock": {}}])
        and (not rule.get("ports") or any(r.get("port") == port for r in rule["ports"]))
        for p in selecting
        for rule in p["spec"].get("egress") or []
    )


def undeclared(out: Output, component: str, target: Target) -> list[str]:
    """What ``component`` does not declare of ``target`` (core/conversations.py): its Service,
    or a place outside the output matching the address."""
    talks = out.graph.talks.get(component)
    if talks is None:
        return [f"{component} declares nothing"]
    if target.service is not None:
        return [] if target.service in talks.services else [f"{component} does not declare Service {target.service}"]
    assert target.place is not None
    for place in talks.outside:
        if place.token in target.address or (place.namespace and place.namespace == target.place.namespace):
            return []
        if place.pods and dict(target.place.labels) == dict(place.pods):
            return []
    return [f"{component} declares no place for {target.address}"]


def kafka_topic_exists(out: Output, topic: str) -> bool:
    """With Strimzi the topic has a KafkaTopic (its name or spec.topicName); otherwise the
    brokers of the release's Kafka create topics on first use, as the data tier documents."""
    if out.values.kafka.mode != "strimzi":
        return True
    clusters = [o for o in out.docs if o["kind"] == "Kafka"]
    if any(
        str(c["spec"]["kafka"].get("config", {}).get("auto.create.topics.enable")).lower() == "true" for c in clusters
    ):
        return True
    topics = [o for o in out.docs if o["kind"] == "KafkaTopic"]
    return any(topic in (o["metadata"]["name"], o["spec"].get("topicName")) for o in topics)
