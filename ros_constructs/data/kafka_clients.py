"""What one application does with Kafka: the topics it reads and writes. Plain Python."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class KafkaClient:
    """An application's Kafka use; its SASL identity (a KafkaUser with SCRAM) is ``<release>-<name>``."""

    name: str
    consumes: frozenset[str]
    produces: frozenset[str]

    @property
    def topics(self) -> frozenset[str]:
        return self.consumes | self.produces
