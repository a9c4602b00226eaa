"""``Values``: the root of the values model, the only input of every chart."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..core.naming import InvalidNameError, check_dns_label
from .base import DnsLabel, Images, Model
from .cost_management import KOKU_FAMILIES
from .data import Cache, Database, Kafka, ObjectStorage
from .koku_config import CostManagement

LONGEST_FIXED_COMPONENT = "db-migrate-0123456789"
"""The longest fixed component suffix any chart emits; with the queue names it bounds the release name."""


class SecretGeneration(Model):
    """Secrets the release may create from a seed (the chart's own credentials only)."""

    seed: str | None = Field(
        default=None,
        min_length=16,
        description="Derive generated Secrets from this seed (same seed, same values); keep it secret. "
        "Unset: nothing is generated and NOTES.txt lists the Secrets to create.",
    )


class Values(Model):
    """Everything an operator can set. The defaults synthesize a complete deployment."""

    release: DnsLabel = Field(default="cost-onprem", description="Prefix of every object name.")
    namespace: DnsLabel = Field(default="cost-onprem", description="Namespace of every namespaced object.")
    create_namespace: bool = Field(
        default=True, description="Create the namespace (turn off when GitOps or a platform team owns it)."
    )
    platform: Literal["kubernetes", "openshift"] = "kubernetes"
    images: Images = Field(default_factory=Images)
    secrets: SecretGeneration = Field(default_factory=SecretGeneration)
    database: Database = Field(default_factory=Database)
    cache: Cache = Field(default_factory=Cache)
    kafka: Kafka = Field(default_factory=Kafka)
    object_storage: ObjectStorage = Field(default_factory=ObjectStorage)
    cost_management: CostManagement = Field(default_factory=CostManagement)

    @model_validator(mode="after")
    def _replica_host(self) -> Values:
        replica = self.cost_management.api.read_replica
        if replica.enabled and not replica.host and self.database.mode != "cloudnativepg":
            raise ValueError(
                "costManagement.api.readReplica needs a host unless database.mode is cloudnativepg (its -ro Service)"
            )
        return self

    @model_validator(mode="after")
    def _names_fit(self) -> Values:
        queues = self.cost_management.workers.all_pools()
        components = [
            LONGEST_FIXED_COMPONENT,
            *(f"worker-{q.replace('_', '-')}" for q in queues),
            *(f"worker-{f.replace('_', '-')}-env" for f in KOKU_FAMILIES),  # the env ConfigMaps
        ]
        longest = f"{self.release}-{max(components, key=len)}"
        try:
            check_dns_label(longest, "longest object name")
        except InvalidNameError as err:
            raise ValueError(f"release {self.release!r} is too long: {err}") from None
        return self
