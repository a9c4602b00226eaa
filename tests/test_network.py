"""The NetworkPolicies, evaluated: which pod may reach which port, against the traffic graph we mean.

The evaluator reads only synthesized objects and follows Kubernetes' rules: a pod selected by a
policy of a direction is isolated in it; traffic passes when the source's egress and the
target's ingress both allow it (peers by pod and namespace labels, ports by name or number).
Outside callers are modelled as pods in other namespaces: an ingress controller, Prometheus and
a stranger.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from conftest import inventory_of, objects, pod_templates, render

from ros_constructs.app import new_release
from ros_constructs.core.conversations import ServiceName
from ros_constructs.values import load

NS = "cost-onprem"
Obj = dict[str, Any]


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: tuple[tuple[str, str], ...]
    namespace_labels: tuple[tuple[str, str], ...]
    ports: tuple[tuple[str, int], ...] = ()

    def matches(self, selector: Obj | None) -> bool:
        labels, selector = dict(self.labels), selector or {}
        for expression in selector.get("matchExpressions", []):
            assert expression["operator"] == "In", expression  # the only operator the policies use
            if labels.get(expression["key"]) not in expression["values"]:
                return False
        return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def outside(name: str, namespace: str, **labels: str) -> Pod:
    ns = (("kubernetes.io/metadata.name", namespace), *labels.items())
    return Pod(name=name, namespace=namespace, labels=(("app", name),), namespace_labels=ns)


EDGE = outside("edge", "ingress-nginx")
OPENSHIFT_ROUTER = outside("router", "openshift-ingress", **{"policy-group.network.openshift.io/ingress": ""})
PROMETHEUS = outside("prometheus", "monitoring")
OPENSHIFT_PROMETHEUS = outside("prometheus", "openshift-user-workload-monitoring")
STRANGER = outside("stranger", "elsewhere")


def peer_matches(peer: Obj, policy_ns: str, pod: Pod) -> bool:
    if "ipBlock" in peer:
        return False  # pods are matched by selectors here; ipBlock is for addresses outside
    ns_selector = peer.get("namespaceSelector")
    if ns_selector is None:
        in_namespace = pod.namespace == policy_ns
    else:
        labels = dict(pod.namespace_labels)
        in_namespace = all(labels.get(k) == v for k, v in ns_selector.get("matchLabels", {}).items())
    return in_namespace and pod.matches(peer.get("podSelector") or {})


def port_matches(rule_ports: list[Obj] | None, target: Pod, port: str) -> bool:
    if not rule_ports:
        return True
    number = dict(target.ports)[port]
    return any(p.get("protocol", "TCP") == "TCP" and p["port"] in (port, number) for p in rule_ports)


def allowed(policies: list[Obj], source: Pod, target: Pod, port: str) -> bool:
    def direction(kind: str, subject: Pod, other: Pod) -> bool:
        selecting = [
            p
            for p in policies
            if p["metadata"]["namespace"] == subject.namespace
            and kind in p["spec"]["policyTypes"]
            and subject.matches(p["spec"]["podSelector"])
        ]
        if not selecting:
            return True
        key, peers = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
        return any(
            port_matches(rule.get("ports"), target, port)
            and (not rule.get(peers) or any(peer_matches(pe, subject.namespace, other) for pe in rule[peers]))
            for p in selecting
            for rule in p["spec"].get(key) or []
        )

    return direction("Egress", source, target) and direction("Ingress", target, source)


def release_pods(docs: list[Obj]) -> list[Pod]:
    pods = {}
    for _, template in pod_templates(docs):
        labels = template["metadata"]["labels"]
        containers = [*template["spec"].get("initContainers", []), *template["spec"]["containers"]]
        ports = tuple((p["name"], p["containerPort"]) for c in containers for p in c.get("ports", []))
        component = labels["app.kubernetes.io/component"]
        pods[component] = Pod(
            name=component,
            namespace=NS,
            labels=tuple(sorted(labels.items())),
            namespace_labels=(("kubernetes.io/metadata.name", NS),),
            ports=ports,
        )
    return list(pods.values())


def reachable(docs: list[Obj], callers: list[Pod]) -> set[tuple[str, str, str]]:
    """(caller, target component, port name) for every path the policies open."""
    policies = [o for o in docs if o["kind"] == "NetworkPolicy"]
    pods = release_pods(docs)
    return {
        (source.name, target.name, port)
        for source in [*pods, *callers]
        for target in pods
        if source is not target
        for port, _ in target.ports
        if allowed(policies, source, target, port)
    }


# --- the traffic graph we mean ------------------------------------------------------------------

KOKU_WORKERS = [
    f"worker-{q}"
    for q in (
        "celery",
        "cost-model",
        "cost-model-penalty",
        "cost-model-xl",
        "download",
        "download-penalty",
        "download-xl",
        "hcs",
        "ocp",
        "ocp-penalty",
        "ocp-xl",
        "priority",
        "priority-penalty",
        "priority-xl",
        "refresh",
        "refresh-penalty",
        "refresh-xl",
        "subs-extraction",
        "subs-transmission",
        "summary",
        "summary-penalty",
        "summary-xl",
    )
]
KOKU_SERVERS = ["api-reads", "api-writes", "masu", "listener"]
"""Koku pods that use the database, the cache and object storage."""
KOKU = [*KOKU_SERVERS, "celery-beat", *KOKU_WORKERS]
ROS_DB = ["rosocp-api", "rosocp-processor", "rosocp-recommendation-poller", "rosocp-housekeeper"]
ROS_DB += ["rosocp-migrate", "rosocp-partitions", "kruize", "kruize-partitions"]
METRICS = ["api-reads", "api-writes", "masu", "listener", "rosocp-api", "rosocp-processor"]
METRICS += ["rosocp-recommendation-poller", *KOKU_WORKERS, "ingress"]


def default_graph(prometheus: Pod, edge_targets: list[tuple[str, str]]) -> set[tuple[str, str, str]]:
    paths = {
        ("api-router", "api-reads", "web"),
        ("api-router", "api-writes", "web"),
        ("api-router", "rosocp-api", "http"),
        ("rosocp-processor", "kruize", "http"),
        ("rosocp-recommendation-poller", "kruize", "http"),
        ("rosocp-housekeeper", "kruize", "http"),
        ("rosocp-housekeeper", "api-reads", "web"),  # on-prem Koku is the sources API
        ("database-ensure", "database", "postgres"),
        ("db-migrate", "database", "postgres"),
        ("minio-buckets", "minio", "api"),
        ("ingress", "minio", "api"),  # insights-ingress-go stores uploads
        ("rosocp-processor", "minio", "api"),  # the presigned URLs in its Kafka messages
    }
    paths |= {(c, "database", "postgres") for c in [*KOKU, *ROS_DB]}
    paths |= {(c, "redis", "redis") for c in KOKU}
    paths |= {(c, "minio", "api") for c in KOKU}
    paths |= {(prometheus.name, c, "metrics") for c in METRICS}
    paths |= {(EDGE.name, c, port) for c, port in edge_targets}
    return paths


@pytest.mark.parametrize("platform", ["kubernetes", "openshift"])
def test_the_default_policies_open_exactly_the_traffic_graph(platform: str) -> None:
    """Nothing reachable that should not be, every needed path open, on both platforms."""
    values = load([], [f"platform={platform}"])
    docs = objects_of(values)
    prometheus = OPENSHIFT_PROMETHEUS if platform == "openshift" else PROMETHEUS
    edge = OPENSHIFT_ROUTER if platform == "openshift" else EDGE
    graph = reachable(docs, [prometheus, edge, STRANGER])
    expected = default_graph(prometheus, [])
    cache = "valkey" if platform == "openshift" else "redis"
    expected = {
        (s, cache if t == "redis" else t, "valkey" if p == "redis" and cache == "valkey" else p) for s, t, p in expected
    }
    if platform == "openshift":  # ODF instead of MinIO: object storage is outside the namespace
        expected = {path for path in expected if "minio" not in path[:2] and path[0] != "minio-buckets"}
    assert sorted(graph - expected) == [], "reachable but not meant to be"
    assert sorted(expected - graph) == [], "meant to be reachable but closed"


def egress_beyond_the_cluster(docs: list[Obj]) -> set[tuple[str, int | str]]:
    """(component, port) for every egress rule that reaches addresses (ipBlock): stores known
    only by host name and the API server."""
    found = set()
    for pod in release_pods(docs):
        for policy in (o for o in docs if o["kind"] == "NetworkPolicy" and pod.matches(o["spec"]["podSelector"])):
            for rule in policy["spec"].get("egress") or []:
                if any("ipBlock" in peer for peer in rule["to"]):
                    found |= {(pod.name, p["port"]) for p in rule.get("ports") or [{"port": "any"}]}
    return found


@pytest.mark.parametrize("platform", ["kubernetes", "openshift"])
def test_nothing_reaches_beyond_the_cluster_by_default(platform: str) -> None:
    """The default Kafka is a Service in namespace kafka, which its clients reach there only; no
    pod has a token, so no egress rule names addresses."""
    docs = objects_of(load([], [f"platform={platform}"]))
    assert egress_beyond_the_cluster(docs) == set()
    kafka = outside("kafka", "kafka")
    kafka = replace(kafka, ports=(("kafka", 9092),))
    clients = {"ingress", "listener", "masu", "api-writes", "rosocp-processor", "rosocp-recommendation-poller"}
    clients.add("rosocp-housekeeper")
    policies = [o for o in docs if o["kind"] == "NetworkPolicy"]
    assert {p.name for p in release_pods(docs) if allowed(policies, p, kafka, "kafka")} == clients


ODF = replace(outside("s3", "openshift-storage"), ports=(("https", 443),))
OBJECT_STORES = [
    (["platform=kubernetes"], "minio"),
    (["platform=openshift"], "odf"),
    (["objectStorage.mode=external", "objectStorage.external.endpoint=https://s3.example.internal:8443"], 8443),
]
"""Values for each object store mode, and how a client's reach to it shows: MinIO's pods, ODF's
namespace or the external endpoint's port."""


@pytest.mark.parametrize(("sets", "reaches"), OBJECT_STORES)
def test_the_processor_reaches_the_object_store_its_messages_point_at(sets: list[str], reaches: Any) -> None:
    """Koku's listener and the upload ingress announce uploads with presigned object-storage URLs,
    which the processor GETs: MinIO's pods, ODF's namespace or the external endpoint's port."""
    docs = objects_of(load([], sets))
    processor = next(p for p in release_pods(docs) if p.name == "rosocp-processor")
    policies = [o for o in docs if o["kind"] == "NetworkPolicy"]
    if reaches == "minio":
        assert ("rosocp-processor", "minio", "api") in reachable(docs, [])
    elif reaches == "odf":
        assert allowed(policies, processor, ODF, "https")
    else:
        assert ("rosocp-processor", reaches) in egress_beyond_the_cluster(docs)


@pytest.mark.parametrize(("sets", "reaches"), OBJECT_STORES)
def test_kokus_listener_reaches_the_upload_bucket_its_messages_point_at(sets: list[str], reaches: Any) -> None:
    """insights-ingress-go announces each upload with a URL presigned for the upload bucket's
    endpoint, which the listener GETs: it declares that bucket (on ODF a claim of its own, beside
    the listener's Koku bucket) and its policy opens MinIO, ODF's namespace or the endpoint's port."""
    values = load([], sets)
    release = new_release(values)
    talks = release.traffic(inventory_of(values)).talks["listener"]
    for place in release.connections.object_storage.buckets["upload"].places:
        assert place.name in talks.services if isinstance(place, ServiceName) else place in talks.outside, place
    docs = objects_of(values)
    listener = next(p for p in release_pods(docs) if p.name == "listener")
    if reaches == "minio":
        assert ("listener", "minio", "api") in reachable(docs, [])
    elif reaches == "odf":
        assert allowed([o for o in docs if o["kind"] == "NetworkPolicy"], listener, ODF, "https")
    else:
        assert ("listener", reaches) in egress_beyond_the_cluster(docs)


def objects_of(values: Any) -> list[Obj]:
    return [o for chart in render(values).values() for o in chart]


def test_every_pod_of_the_release_is_isolated_both_ways() -> None:
    docs = objects("default")
    policies = [o for o in docs if o["kind"] == "NetworkPolicy"]
    for pod in release_pods(docs):
        for kind in ("Ingress", "Egress"):
            assert any(pod.matches(p["spec"]["podSelector"]) and kind in p["spec"]["policyTypes"] for p in policies)
