"""Kafka as Strimzi resources (``kafka.mode: strimzi``): a KafkaTopic for every topic a client
that is on uses, a SCRAM KafkaUser per client application with ACLs for exactly its topics, and
optionally the KRaft cluster itself (a ``Kafka`` with a controller and a broker KafkaNodePool).

Written as plain JSON through ``api_object``: the Strimzi bindings are several megabytes of Python
for four small objects; the tests validate every object against Strimzi's own CRD schemas.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import constructs

from ..core.emit import api_object
from ..core.kinds import KAFKA, KAFKA_NODE_POOL, KAFKA_TOPIC, KAFKA_USER, Kind
from ..core.messaging import KafkaClient
from ..core.naming import INSTANCE_LABEL
from ..core.tree import Part
from ..values.data import Kafka as KafkaValues
from .connections import STRIMZI_PLAIN_PORT, STRIMZI_TLS_PORT, KafkaConnection, strimzi_cluster
from .store import DataStore

CLUSTER_LABEL = "strimzi.io/cluster"


def topic_acls(client: KafkaClient) -> list[dict[str, Any]]:
    """Read (and its group) for consumed topics, write for produced ones, describe for both."""
    acls = []
    for topic in sorted(client.topics):
        operations = ["Describe"]
        operations += ["Read"] if topic in client.consumes else []
        operations += ["Write"] if topic in client.produces else []
        acls.append({"resource": {"type": "topic", "name": topic, "patternType": "literal"}, "operations": operations})
    if client.consumes:
        # Koku does not make its consumer group ids configurable outside Clowder.
        acls.append({"resource": {"type": "group", "name": "*", "patternType": "literal"}, "operations": ["Read"]})
    return acls


def _listeners(kafka: KafkaValues, release: str) -> list[dict[str, Any]]:
    """The one internal listener: SCRAM when ``securityProtocol`` is SASL_*, and open only to the
    release's pods (Strimzi adds its own operators); the release's egress policies narrow that
    to the pods that declare Kafka."""
    auth = {"authentication": {"type": "scram-sha-512"}} if kafka.uses_sasl else {}
    peers = {"networkPolicyPeers": [{"podSelector": {"matchLabels": {INSTANCE_LABEL: release}}}]}
    if kafka.tls:
        return [{"name": "tls", "port": STRIMZI_TLS_PORT, "type": "internal", "tls": True, **auth, **peers}]
    return [{"name": "plain", "port": STRIMZI_PLAIN_PORT, "type": "internal", "tls": False, **auth, **peers}]


class StrimziKafka(Part):
    def __init__(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        store: DataStore,
        kafka: KafkaConnection,
        clients: Iterable[KafkaClient],
    ) -> None:
        super().__init__(scope, id)
        self.store = store
        values = store.release.values.kafka
        self.cluster = strimzi_cluster(store.release.values)
        clients = list(clients)
        if values.strimzi.broker.deploy:
            self._cluster(values)
        for topic in sorted({t for c in clients for t in c.topics}):
            topic_spec = {"partitions": values.strimzi.partitions, "replicas": values.strimzi.replicas}
            self._object(KAFKA_TOPIC, topic.replace(".", "-"), topic_spec, component="kafka-topics", name=topic)
        if kafka.sasl_mechanism:
            for client in clients:
                user = kafka.user_name(client.name)
                spec = {
                    "authentication": {"type": "scram-sha-512"},
                    "authorization": {"type": "simple", "acls": topic_acls(client)},
                }
                self._object(KAFKA_USER, user, spec, component="kafka-users", name=user)
                store.operator_makes("Secret", user, frozenset({"password", "sasl.jaas.config"}))
        if kafka.ca is not None and values.strimzi.broker.deploy:
            store.operator_makes("Secret", kafka.ca.ref.name, frozenset({"ca.crt", "ca.p12", "ca.password"}))

    def _object(
        self,
        kind: Kind,
        id: str,
        spec: dict[str, Any],
        *,
        component: str,
        name: str,
        annotations: dict[str, str] | None = None,
    ) -> None:
        labels = {**self.store.naming.labels(component), CLUSTER_LABEL: self.cluster}
        api_object(
            self,
            f"{kind.kind}-{id}",
            kind=kind,
            name=name,
            labels=labels,
            annotations=annotations,
            body={"spec": spec},
        )

    def _cluster(self, kafka: KafkaValues) -> None:
        broker = kafka.strimzi.broker
        replication = min(3, broker.brokers)
        config = {
            "offsets.topic.replication.factor": replication,
            "transaction.state.log.replication.factor": replication,
            "transaction.state.log.min.isr": max(1, replication - 1),
            "default.replication.factor": replication,
            "min.insync.replicas": max(1, replication - 1),
        }
        spec: dict[str, Any] = {
            "kafka": {
                "version": broker.version,
                "metadataVersion": ".".join(broker.version.split(".")[:2]) + "-IV0",
                "listeners": _listeners(kafka, self.store.release.name),
                "config": config,
                **({"authorization": {"type": "simple"}} if kafka.uses_sasl else {}),
            },
            "entityOperator": {"topicOperator": {}, "userOperator": {}},
        }
        annotations = {"strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled"}
        self._object(KAFKA, "cluster", spec, component="kafka", name=self.cluster, annotations=annotations)
        res = broker.resources
        resources = {
            "requests": {"cpu": res.requests.cpu, "memory": res.requests.memory},
            "limits": {"memory": res.limits.memory, **({"cpu": res.limits.cpu} if res.limits.cpu else {})},
        }
        volume = {"id": 0, "type": "persistent-claim", "size": broker.volume.size, "deleteClaim": False}
        if broker.volume.storage_class:
            volume["class"] = broker.volume.storage_class
        for role, replicas in (("controller", broker.controllers), ("broker", broker.brokers)):
            pool = {
                "replicas": replicas,
                "roles": [role],
                "storage": {"type": "jbod", "volumes": [{**volume, "kraftMetadata": "shared"}]},
                "resources": resources,
            }
            self._object(KAFKA_NODE_POOL, role, pool, component="kafka", name=f"{self.cluster}-{role}")
