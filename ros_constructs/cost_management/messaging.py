"""The Kafka topics Koku's clients consume and produce, from the components that are on.

Koku names its topics in code (``kafka_utils``); outside Clowder it uses the requested names.
The data-store chart makes a KafkaTopic for each and, with SCRAM, one KafkaUser whose ACLs are
exactly these. Plain Python.
"""

from __future__ import annotations

from ..core.messaging import KafkaClient, TopicUse
from ..data.topics import (
    NOTIFICATIONS,
    PAYLOAD_STATUS,
    ROS_EVENTS,
    SOURCES_EVENTS,
    SUBS_INGRESS,
    UPLOAD_ANNOUNCE,
    UPLOAD_VALIDATION,
)
from ..values import Values
from .env import KAFKA_CLIENT, KokuRole, component_for, writes_component
from .upload_env import COMPONENT as UPLOAD_COMPONENT
from .upload_env import KAFKA_CLIENT as UPLOAD_KAFKA_CLIENT


def koku_kafka_client(values: Values) -> KafkaClient:
    """The listener consumes uploads, validates them and announces ROS data; api-writes announces
    deleted sources (on-prem Koku is the sources API), MASU notifies, the SUBS transmitter exports."""
    cm = values.cost_management
    listener_produces = {UPLOAD_VALIDATION} | ({ROS_EVENTS} if values.ships_ros_data() else set())
    uses = [
        TopicUse(
            component=KokuRole.LISTENER, consumes=frozenset({UPLOAD_ANNOUNCE}), produces=frozenset(listener_produces)
        ),
        TopicUse(component=writes_component(values), produces=frozenset({SOURCES_EVENTS})),
        TopicUse(component=KokuRole.MASU, produces=frozenset({NOTIFICATIONS})),
    ]
    for pool in cm.workers.consumers(running=False).get("subs_transmission", []):
        uses.append(TopicUse(component=component_for(pool), produces=frozenset({SUBS_INGRESS})))
    return KafkaClient(name=KAFKA_CLIENT, uses=tuple(uses))


def upload_kafka_client() -> KafkaClient:
    """insights-ingress-go announces each upload and produces its status (it consumes nothing)."""
    use = TopicUse(component=UPLOAD_COMPONENT, produces=frozenset({UPLOAD_ANNOUNCE, PAYLOAD_STATUS}))
    return KafkaClient(name=UPLOAD_KAFKA_CLIENT, uses=(use,))
