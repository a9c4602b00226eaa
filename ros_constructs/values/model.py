"""``Values``: the root of the values model, the only input of every chart."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..core.naming import MAX_CRONJOB_NAME_LENGTH, InvalidNameError, check_dns_label
from .base import DnsLabel, Images, Model
from .cost_management import KOKU_FAMILIES
from .data import Cache, Database, DatabaseLogin, Kafka, ObjectStorage
from .edge import Edge
from .koku_config import CostManagement
from .monitoring import Monitoring
from .ros import Ros

LONGEST_FIXED_COMPONENT = "db-migrate-0123456789"
"""The longest fixed component suffix Koku emits; with the queue names it bounds the release name."""
LONGEST_ROS_COMPONENT = "rosocp-recommendation-poller"
LONGEST_CRONJOB = "rosocp-partitions"
"""The longest CronJob component; CronJob names have 52 characters, not 63 (a release of 34 fits)."""


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
    ros: Ros = Field(default_factory=Ros)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    edge: Edge = Field(default_factory=Edge)

    def database_logins(self) -> dict[str, DatabaseLogin]:
        """The services that are on and need a database: service -> its database and login."""
        db, logins = self.database, {"koku": self.database.koku}
        if self.ros.enabled:
            logins |= {"ros": db.ros, "kruize": db.kruize}
            if self.ros.sources.enabled:
                logins["sources"] = db.sources
        return logins

    @model_validator(mode="after")
    def _own_databases(self) -> Values:
        """Each service that is on owns its database (the ensure Job makes it, owned by its login)."""
        owners: dict[str, str] = {}
        for service, login in self.database_logins().items():
            if login.name in owners:
                raise ValueError(
                    f"database.{service}.name {login.name!r} is also database.{owners[login.name]}.name: "
                    "each service needs a database of its own"
                )
            owners[login.name] = service
        return self

    @model_validator(mode="after")
    def _edge_fits(self) -> Values:
        edge, openshift = self.edge, self.platform == "openshift"
        if edge.exposure.type == "route" and not openshift:
            raise ValueError("edge.exposure.type route needs platform openshift (Routes are OpenShift's)")
        if edge.auth.token_review.enabled and not (openshift and self.ros.enabled):
            raise ValueError("edge.auth.tokenReview needs platform openshift (service CA) and ros.enabled")
        if edge.exposure.type in ("route", "ingress") and self.cost_management.api.router.type != "nginx":
            raise ValueError(
                f"edge.exposure.type {edge.exposure.type} sends /api/cost-management/ to the nginx router, which "
                "splits reads from writes: set costManagement.api.router.type nginx, or exposure.type gatewayApi"
            )
        if edge.auth.mode != "none" and self.cost_management.api.router.type != "nginx":
            raise ValueError(
                f"edge.auth.mode {edge.auth.mode} authenticates /api/cost-management/ in front of (or beside) the "
                "nginx router: set costManagement.api.router.type nginx"
            )
        return self

    @model_validator(mode="after")
    def _replica_host(self) -> Values:
        replica = self.cost_management.api.read_replica
        for path, wanted in (
            ("costManagement.api.readReplica", replica),
            ("ros.api.readReplica", self.ros.api.read_replica),
        ):
            if wanted.enabled and not wanted.host and self.database.mode != "cloudnativepg":
                raise ValueError(f"{path} needs a host unless database.mode is cloudnativepg (its -ro Service)")
        return self

    @model_validator(mode="after")
    def _sources_env_mode(self) -> Values:
        """sources-api-go outside Clowder speaks plain text to Kafka, the cache and PostgreSQL."""
        if not (self.ros.enabled and self.ros.sources.enabled):
            return self
        unsupported = []
        if self.kafka.security_protocol != "PLAINTEXT":
            unsupported.append(f"kafka.securityProtocol {self.kafka.security_protocol}")
        if self.cache.tls.enabled:
            unsupported.append("cache.tls.enabled true")
        if self.database.mode == "external" and self.database.external.ssl_mode in (
            "require",
            "verify-ca",
            "verify-full",
        ):
            unsupported.append(f"database.external.sslMode {self.database.external.ssl_mode}")
        if unsupported:
            raise ValueError(
                f"ros.sources: sources-api-go reads no TLS or SASL settings outside Clowder, so it cannot run with "
                f"{', '.join(unsupported)}; set ros.sources.enabled false (the ROS housekeeper goes with it)"
            )
        return self

    @model_validator(mode="after")
    def _names_fit(self) -> Values:
        queues = self.cost_management.workers.all_pools()
        components = [
            LONGEST_FIXED_COMPONENT,
            *([LONGEST_ROS_COMPONENT] if self.ros.enabled else []),
            *(f"worker-{q.replace('_', '-')}" for q in queues),
            *(f"worker-{f.replace('_', '-')}-env" for f in KOKU_FAMILIES),  # the env ConfigMaps
        ]
        longest = f"{self.release}-{max(components, key=len)}"
        try:
            check_dns_label(longest, "longest object name")
            if self.ros.enabled and self.ros.partition_cleaner.enabled:
                cron_job = f"{self.release}-{LONGEST_CRONJOB}"
                check_dns_label(cron_job, "longest CronJob name", MAX_CRONJOB_NAME_LENGTH)
        except InvalidNameError as err:
            raise ValueError(f"release {self.release!r} is too long: {err}") from None
        return self
