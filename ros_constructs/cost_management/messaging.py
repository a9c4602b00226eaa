"""The Kafka topics Koku's clients consume and produce, from the components that are on.

Koku names its topics in code (``kafka_utils``); outside Clowder it uses the requested names.
The data-store chart makes a KafkaTopic for each and, with SCRAM, one KafkaUser whose ACLs are
exactly these. Plain Python.
"""

from __future__ import annotations

from ..data.kafka_clients import (
    NOTIFICATIONS,
    ROS_EVENTS,
    SOURCES_EVENTS,
    SUBS_INGRESS,
    UPLOAD_ANNOUNCE,
    UPLOAD_VALIDATION,
    KafkaClient,
)
from ..values import Values
from .env import KAFKA_CLIENT


def koku_kafka_client(values: Values) -> KafkaClient:
    """The listener consumes uploads, the sources listener source events; the listener
    validates uploads and announces ROS data, MASU notifies, the SUBS transmitter exports."""
    cm = values.cost_management
    produces = {UPLOAD_VALIDATION, NOTIFICATIONS}
    if not cm.kafka.disable_ros_messages:
        produces.add(ROS_EVENTS)
    if "subs_transmission" in cm.workers.consumers(running=False):
        produces.add(SUBS_INGRESS)
    return KafkaClient(
        name=KAFKA_CLIENT, consumes=frozenset({UPLOAD_ANNOUNCE, SOURCES_EVENTS}), produces=frozenset(produces)
    )
