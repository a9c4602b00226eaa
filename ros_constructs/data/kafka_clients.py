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
class TopicUse:
    """What the pods of one component (its ``app.kubernetes.io/component`` label) do with Kafka."""

    component: str
    consumes: frozenset[str] = frozenset()
    produces: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class KafkaClient:
    """An application's Kafka use, per component; its SASL identity (a KafkaUser with SCRAM) is
    ``<release>-<name>``, whose ACLs cover what its components consume and produce."""

    name: str
    uses: tuple[TopicUse, ...]

    @property
    def consumes(self) -> frozenset[str]:
        return frozenset().union(*(u.consumes for u in self.uses))

    @property
    def produces(self) -> frozenset[str]:
        return frozenset().union(*(u.produces for u in self.uses))

    @property
    def topics(self) -> frozenset[str]:
        return self.consumes | self.produces
