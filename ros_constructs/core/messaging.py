"""What one application does with Kafka: the topics each of its components reads and writes.

Tiers declare these (:class:`~ros_constructs.core.tier.TierSpec`); topics, users and their ACLs
derive from them. Plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass


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
