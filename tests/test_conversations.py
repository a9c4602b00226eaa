"""Every workload declares what it talks to (``core/conversations.py``); the NetworkPolicies open
exactly that. The other direction, as a check: scanning a pod's configuration (its spec and the
ConfigMaps and Secrets it reads) for the Service hosts of the output and the addresses of the
places outside it finds nothing the pod does not declare, so a forgotten declaration fails here
rather than as a closed path in a cluster. The scan lives here, never in the library."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import pytest
from conftest import PROFILES, inventory_of, profile_values

from ros_constructs.app import new_release
from ros_constructs.core.conversations import Destination
from ros_constructs.core.inventory import Inventory
from ros_constructs.core.traffic import Component, TrafficGraph
from ros_constructs.cost_management.env import component_for
from ros_constructs.release import Release


def strings(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "\n".join(strings(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(strings(v) for v in value)
    return ""


def hosts_pattern(names: Iterable[str], namespace: str) -> re.Pattern[str]:
    """Any of ``names`` as a whole host: bare, or ``name.<namespace>[.svc[.cluster.local]]``; the
    name is group 1. Longer names come first, so a name another one extends matches only alone."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
    suffix = rf"(\.{re.escape(namespace)}(\.svc(\.cluster\.local)?)?)?"
    return re.compile(rf"(?<![\w.-])({alternatives}){suffix}(?![\w-])")


def configuration(component: Component, objects: Inventory) -> str:
    """The text a component's pods are configured with: their specs and the data of the
    ConfigMaps (envFrom, volumes) and Secrets (volumes) they read."""
    data = {
        (o.kind, o.name): o.body.get("data") or o.body.get("stringData") for o in objects.of_kind("ConfigMap", "Secret")
    }
    read: list[tuple[str, str]] = []
    texts = []
    for owner in component.owners:
        texts.append(strings(owner.pod))
        read += [("ConfigMap", ref["configMapRef"]["name"]) for c in owner.containers for ref in c.get("envFrom", [])]
        for volume in owner.pod.get("volumes", []):
            if "configMap" in volume:
                read.append(("ConfigMap", volume["configMap"]["name"]))
            elif "secret" in volume:
                read.append(("Secret", volume["secret"]["secretName"]))
    return "\n".join([*texts, *(strings(data.get(key)) for key in dict.fromkeys(read))])


def outside_tokens(release: Release, graph: TrafficGraph) -> set[str]:
    """How places outside the output appear in configuration: every data store's addresses, the
    read replicas, the identity provider, the RBAC service, and whatever any workload declares."""
    values, stores = release.values, release.connections
    connections = (stores.database, stores.cache, stores.kafka, stores.object_storage)
    places = [*stores.database.read_places, *(p for c in connections for p in c.places)]
    tokens = {p.token for p in places if isinstance(p, Destination)}
    replicas = (values.cost_management.api.read_replica, values.ros.api.read_replica)
    tokens |= {r.host for r in replicas if r.enabled and r.host}
    if values.edge.auth.mode != "none":
        tokens.add(str(urlsplit(values.edge.auth.jwt.keys_uri).hostname))
    tokens.add(values.cost_management.cache_and_rbac.rbac_service_host or "")
    tokens |= {d.token for talks in graph.talks.values() for d in talks.outside}
    return tokens - {""}


def undeclared(profile: str) -> list[str]:
    """What the pods of ``profile`` are configured with but do not declare (and declared Services
    the output lacks), one line each."""
    values = profile_values(profile)
    release, objects = new_release(values), inventory_of(values)
    graph = release.traffic(objects)
    services = {s.name: s for s in graph.services}
    hosts = hosts_pattern(services, release.namespace)
    tokens = outside_tokens(release, graph)
    found = []
    for name, component in graph.components.items():
        talks = graph.talks[name]
        text = configuration(component, objects)
        named = {m.group(1) for m in hosts.finditer(text)}
        named -= {s for s in named if component in graph.pods_of(services[s])}
        found += [
            f"{name}: configured with Service {s}, declares no such Service" for s in sorted(named - talks.services)
        ]
        declared = {d.token for d in talks.outside}
        found += [
            f"{name}: configured with {t}, declares no such place"
            for t in sorted(tokens)
            if t in text and t not in declared
        ]
        if any(o.pod.get("automountServiceAccountToken") for o in component.owners) and not talks.api_server:
            found.append(f"{name}: mounts a token, does not declare the Kubernetes API")
        found += [
            f"{name}: declares Service {s}, which the output lacks" for s in sorted(talks.services - set(services))
        ]
    return found


@pytest.mark.parametrize("profile", PROFILES)
def test_every_host_a_pod_is_configured_with_is_declared(profile: str) -> None:
    assert undeclared(profile) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_kafka_users_are_the_kafka_clients(profile: str) -> None:
    """Who reaches the brokers is who its application's KafkaClient says consumes or produces.
    Except the SUBS transmission pools: Koku's SUBS messenger produces, but the env table gives
    Kafka's address only to the listeners and masu, so they are not configured to reach it."""
    values = profile_values(profile)
    release = new_release(values)
    graph = release.traffic(inventory_of(values))
    reaching = {name for name, talks in graph.talks.items() if any(d.what == "kafka" for d in talks.outside)}
    clients = {use.component for client in release.kafka_clients for use in client.uses} & set(graph.components)
    subs = values.cost_management.workers.consumers(running=False).get("subs_transmission", [])
    assert reaching <= clients
    assert clients - reaching == {component_for(pool) for pool in subs} & set(graph.components)
