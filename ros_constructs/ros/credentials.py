"""The ROS tier's own credentials, Kafka identities and outside dependencies. Plain Python.

Database logins, the cache password and object storage keys belong to the data-store
connections; this module covers the Sources API's encryption key, which application uses which
Kafka identity and topics, and what ROS expects outside the output.
"""

from __future__ import annotations

from ..core.messaging import KafkaClient, TopicUse
from ..core.naming import object_name
from ..core.secrets import SecretPlan, SecretRef, credential_ref, plan
from ..data.topics import (
    NOTIFICATIONS,
    RECOMMENDATIONS,
    ROS_EVENTS,
    SOURCES_EVENTS,
    UPLOAD_VALIDATION,
)
from ..values import Values
from .names import HOUSEKEEPER_COMPONENT, INGRESS_COMPONENT, POLLER_COMPONENT, PROCESSOR_COMPONENT, SOURCES_COMPONENT

BACKEND_KAFKA_CLIENT = "ros"
INGRESS_KAFKA_CLIENT = "ros-ingress"
SOURCES_KAFKA_CLIENT = "sources"


def encryption_key(values: Values) -> SecretRef:
    return credential_ref(
        values.ros.sources.encryption_key, object_name(values.release, "sources-encryption"), "encryption-key"
    )


def ros_secret_plans(values: Values) -> list[SecretPlan]:
    """The encryption key may be generated: 32 random bytes as unpadded base64 (sources-api-go's format)."""
    ros = values.ros
    if not (ros.enabled and ros.sources.enabled):
        return []
    key = plan(ros.sources.encryption_key, object_name(values.release, "sources-encryption"), seed=values.secrets.seed)
    return [SecretPlan(name=key.name, keys=key.keys, generated=key.generated, encoding="base64-raw")]


def housekeeper_on(values: Values) -> bool:
    """The housekeeper reacts to source deletions, so it runs only with the Sources API."""
    ros = values.ros
    return ros.housekeeper.enabled and ros.sources.enabled


def ros_kafka_clients(values: Values) -> list[KafkaClient]:
    """The backend consumes uploads, its own experiment announcements and (housekeeper) source
    events; the ingress (ROS-only) announces uploads; Sources announces source changes."""
    ros = values.ros
    if not ros.enabled:
        return []
    backend = [
        TopicUse(
            component=PROCESSOR_COMPONENT, consumes=frozenset({ROS_EVENTS}), produces=frozenset({RECOMMENDATIONS})
        ),
        TopicUse(component=POLLER_COMPONENT, consumes=frozenset({RECOMMENDATIONS})),
    ]
    if housekeeper_on(values):
        backend.append(TopicUse(component=HOUSEKEEPER_COMPONENT, consumes=frozenset({SOURCES_EVENTS})))
    clients = [KafkaClient(name=BACKEND_KAFKA_CLIENT, uses=tuple(backend))]
    if not values.cost_management.enabled:
        ingress = TopicUse(component=INGRESS_COMPONENT, produces=frozenset({ROS_EVENTS, UPLOAD_VALIDATION}))
        clients.append(KafkaClient(name=INGRESS_KAFKA_CLIENT, uses=(ingress,)))
    if ros.sources.enabled:
        sources = TopicUse(component=SOURCES_COMPONENT, produces=frozenset({SOURCES_EVENTS, NOTIFICATIONS}))
        clients.append(KafkaClient(name=SOURCES_KAFKA_CLIENT, uses=(sources,)))
    return clients
