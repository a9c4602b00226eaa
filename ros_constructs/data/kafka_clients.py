"""What one application does with Kafka: the topics it reads and writes, and the topic names
the tiers share. Plain Python."""

from __future__ import annotations

from dataclasses import dataclass

UPLOAD_ANNOUNCE = "platform.upload.announce"
UPLOAD_VALIDATION = "platform.upload.validation"
SOURCES_EVENTS = "platform.sources.event-stream"
ROS_EVENTS = "hccm.ros.events"
"""Uploads' ROS data: Koku's listener and the upload ingress announce, ROS's processor consumes."""
NOTIFICATIONS = "platform.notifications.ingress"
SUBS_INGRESS = "platform.rhsm-subscriptions.service-instance-ingress"
RECOMMENDATIONS = "rosocp.kruize.recommendations"
"""ROS's processor announces each experiment here; the poller asks Kruize when it comes due."""


@dataclass(frozen=True, kw_only=True)
class KafkaClient:
    """An application's Kafka use; its SASL identity (a KafkaUser with SCRAM) is ``<release>-<name>``."""

    name: str
    consumes: frozenset[str]
    produces: frozenset[str]

    @property
    def topics(self) -> frozenset[str]:
        return self.consumes | self.produces
