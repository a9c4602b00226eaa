"""``Values``: the root of the values model, the only input of every chart."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..core.naming import MAX_CRONJOB_NAME_LENGTH, InvalidNameError, check_dns_label
from .base import DnsLabel, Images, Model
from .cost_management import KOKU_FAMILIES, KOKU_QUEUES, Api, ApiDeployment, queue_family
from .data import Cache, Database, DatabaseLogin, Kafka, ObjectStorage
from .edge import Edge
from .errors import ValuesError, given
from .koku_config import CostManagement
from .monitoring import Monitoring
from .pods import Scheduling, components
from .profiles import ProfileName
from .ros import Ros, RosApi

LONGEST_FIXED_COMPONENT = "db-migrate-0123456789"
"""The longest fixed component suffix Koku emits; with the queue names it bounds the release name."""
LONGEST_ROS_COMPONENT = "rosocp-recommendation-poller"
LONGEST_CRONJOB = "rosocp-partitions"
"""The longest CronJob component; CronJob names have 52 characters, not 63 (a release of 34 fits)."""


def receivable_queues(values: Values) -> tuple[str, ...]:
    """Koku's queues that can receive tasks with these values, each of which needs a consumer.

    Checked in Koku's source: with ``ONPREM`` Unleash is a mock that answers every flag False, so the
    penalty queues and most XL queues get no routed tasks, but masu's private API queues tasks on any
    queue of ``common/queues.py`` QUEUE_LIST on request and the orchestrator routes downloads and
    summaries of large manifests to ``_xl``: every family queue, ``celery`` and ``hcs`` can receive
    tasks. The orchestrator sends ``subs_extraction`` (and ``hcs``) a task for every processed
    cloud-cost manifest whatever the settings. ``subs_transmission`` is fed only by extraction when
    SUBS messaging is on: Unleash's flag (not on-prem) or ``ENABLE_SUBS_DEBUG``."""
    cm = values.cost_management
    subs_messaging = cm.feature_flags.enable_subs_debug or not cm.runtime.onprem
    return tuple(q for q in KOKU_QUEUES if q != "subs_transmission" or subs_messaging)


SEED_MIN_LENGTH = 16
SEED_MIN_BITS = 64
"""A seed is refused below this estimate: length x log2(distinct characters), an upper bound on what a
guessable seed carries (``aaaa...`` counts 0, a 16-character seed of 16 different characters 64).
``openssl rand -hex 32`` (64 characters, 16 distinct) estimates 256; derived values are no stronger
than the seed, and 64 bits is the least the Secrets' random values of 256 bits should rest on."""


def seed_bits(seed: str) -> float:
    """The estimate :data:`SEED_MIN_BITS` is checked against."""
    distinct = len(set(seed))
    return len(seed) * math.log2(distinct) if distinct > 1 else 0.0


class SecretGeneration(Model):
    """Secrets the release may create from a seed (the chart's own credentials only)."""

    seed: str | None = Field(
        default=None,
        description=f"Derive generated Secrets from this seed (same seed, namespace and release, same values); keep it "
        f"secret. At least {SEED_MIN_LENGTH} characters and {SEED_MIN_BITS} bits by length x log2(distinct "
        "characters), e.g. `openssl rand -hex 32`. After changing it bump generation. Unset: nothing is generated "
        "and NOTES.txt lists the Secrets to create.",
    )
    generation: int = Field(
        default=0,
        ge=0,
        description="Bump it with every seed change: pods reading generated Secrets roll and their Jobs (database "
        "logins, buckets) run again. The only input of their checksum/secrets annotation besides the Secrets' names, "
        "since nothing derived from the seed may be published.",
    )

    @field_validator("seed", mode="before")
    @classmethod
    def _strong_seed(cls, seed: object) -> object:
        """Never echoes the seed: pydantic's own messages would print the refused value."""
        if seed is None:
            return seed
        if not isinstance(seed, str):
            raise ValuesError(f"must be a string (got a {type(seed).__name__}; the value is not shown)")
        if len(seed) < SEED_MIN_LENGTH or seed_bits(seed) < SEED_MIN_BITS:
            raise ValuesError(
                f"too weak: {len(seed)} characters, about {seed_bits(seed):.0f} bits; needs {SEED_MIN_LENGTH}+ "
                f"characters and {SEED_MIN_BITS}+ bits (length x log2(distinct characters)), e.g. openssl rand -hex 32"
            )
        return seed


class Values(Model):
    """Everything an operator can set. The defaults synthesize a complete deployment."""

    profile: ProfileName | None = Field(
        default=None,
        description="Sized overlay applied under your values: dev (one KIND node), small, medium, large "
        "(ros_constructs/profiles/); unset: the defaults.",
    )
    release: DnsLabel = Field(default="cost-onprem", description="Prefix of every object name.")
    namespace: DnsLabel = Field(default="cost-onprem", description="Namespace of every namespaced object.")
    create_namespace: bool = Field(
        default=True, description="Create the namespace (turn off when GitOps or a platform team owns it)."
    )
    platform: Literal["kubernetes", "openshift"] = "kubernetes"
    images: Images = Field(default_factory=Images)
    scheduling: Scheduling = Field(
        default_factory=Scheduling,
        description="Defaults for every pod the release runs (not those CloudNativePG or Strimzi run): a component's "
        "own nodeSelector, tolerations, affinity, topologySpreadConstraints or priorityClassName, when not null, "
        "replaces the field here ({} or [] clears it).",
    )
    secrets: SecretGeneration = Field(default_factory=SecretGeneration)
    database: Database = Field(default_factory=Database)
    cache: Cache = Field(default_factory=Cache)
    kafka: Kafka = Field(default_factory=Kafka)
    object_storage: ObjectStorage = Field(default_factory=ObjectStorage)
    cost_management: CostManagement = Field(default_factory=CostManagement)
    ros: Ros = Field(default_factory=Ros)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    edge: Edge = Field(default_factory=Edge)

    def runs_sources_api(self) -> bool:
        """sources-api-go runs only in ROS-only mode: with Cost Management on, Koku serves sources."""
        return self.ros.enabled and not self.cost_management.enabled and self.ros.sources.enabled is not False

    def ships_ros_data(self) -> bool:
        """Koku sends ROS its CSVs (``DISABLE_ROS_MSG`` off) when ROS is there to take them, unless told."""
        disabled = self.cost_management.kafka.disable_ros_messages
        return not disabled if disabled is not None else self.ros.enabled

    def database_logins(self) -> dict[str, DatabaseLogin]:
        """The services that are on and need a database: service -> its database and login."""
        db, logins = self.database, {}
        if self.cost_management.enabled:
            logins["koku"] = db.koku
        if self.ros.enabled:
            logins |= {"ros": db.ros, "kruize": db.kruize}
        if self.runs_sources_api():
            logins["sources"] = db.sources
        return logins

    @model_validator(mode="after")
    def _mode(self) -> Values:
        """Three modes: Cost Management and ROS (default), Cost-only, ROS-only."""
        if not (self.cost_management.enabled or self.ros.enabled):
            raise ValuesError("costManagement.enabled and ros.enabled are both false: there is nothing to deploy")
        if self.cost_management.enabled and self.ros.sources.enabled:
            raise ValuesError(
                "ros.sources.enabled true: with Cost Management on, Koku serves the sources API "
                "(/api/cost-management/v1) that ROS's housekeeper asks; sources-api-go runs only in ROS-only mode"
            )
        return self

    @model_validator(mode="after")
    def _own_databases(self) -> Values:
        """Each service that is on owns its database (the ensure Job makes it, owned by its login)."""
        owners: dict[str, str] = {}
        for service, login in self.database_logins().items():
            if login.name in owners:
                raise ValuesError(
                    f"database.{service}.name {login.name!r} is also database.{owners[login.name]}.name: "
                    "each service needs a database of its own"
                )
            owners[login.name] = service
        return self

    @model_validator(mode="after")
    def _edge_fits(self) -> Values:
        edge, openshift = self.edge, self.platform == "openshift"
        if edge.exposure.type == "route" and not openshift:
            raise ValuesError("edge.exposure.type route needs platform openshift (Routes are OpenShift's)")
        if edge.auth.token_review.enabled and not (openshift and self.ros.enabled):
            raise ValuesError("edge.auth.tokenReview needs platform openshift (service CA) and ros.enabled")
        koku_router = self.cost_management.api.router.type if self.cost_management.enabled else "nginx"
        if edge.exposure.type in ("route", "ingress") and koku_router != "nginx":
            raise ValuesError(
                f"edge.exposure.type {edge.exposure.type} sends /api/cost-management/ to the nginx router, which "
                "splits reads from writes: set costManagement.api.router.type nginx, or exposure.type gatewayApi"
            )
        if edge.auth.mode != "none" and koku_router != "nginx":
            raise ValuesError(
                f"edge.auth.mode {edge.auth.mode} authenticates /api/cost-management/ in front of (or beside) the "
                "nginx router: set costManagement.api.router.type nginx"
            )
        return self

    @model_validator(mode="after")
    def _override_digests(self) -> Values:
        """``images.requireDigests`` covers a component's own ``image`` too."""
        if self.images.require_digests:
            for path, component in components(self):
                if component.image is not None and not component.image.digest:
                    raise ValuesError("images.requireDigests is true but this image has no digest", at=f"{path}.image")
        return self

    @model_validator(mode="after")
    def _replica_host(self) -> Values:
        replicas = {"costManagement.api.readReplica": self.cost_management.api.read_replica}
        for path, wanted in (
            *(replicas.items() if self.cost_management.enabled else ()),
            ("ros.api.readReplica", self.ros.api.read_replica),
        ):
            if wanted.enabled and not wanted.host and self.database.mode != "cloudnativepg":
                raise ValuesError(f"{path} needs a host unless database.mode is cloudnativepg (its -ro Service)")
        return self

    @model_validator(mode="after")
    def _sources_env_mode(self) -> Values:
        """sources-api-go outside Clowder speaks plain text to Kafka, the cache and PostgreSQL."""
        if not self.runs_sources_api():
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
            raise ValuesError(
                f"ros.sources: sources-api-go reads no TLS or SASL settings outside Clowder, so it cannot run with "
                f"{', '.join(unsupported)}; set ros.sources.enabled false (the ROS housekeeper goes with it)"
            )
        return self

    @model_validator(mode="after")
    def _every_queue_consumed(self) -> Values:
        """A task sent to a queue no pod consumes waits in the broker forever (and the cache never evicts it)."""
        if not self.cost_management.enabled:
            return self
        consumed = self.cost_management.workers.consumers(running=True)
        for queue in receivable_queues(self):
            if queue not in consumed:
                raise ValuesError(
                    f"queue {queue} can receive tasks but no pool consumes it: enable its pool (enabled true, "
                    f"replicas above 0 or autoscaling keda) or add {queue} to another pool's alsoConsumes",
                    at=f"costManagement.workers.pools.{queue}",
                )
        return self

    @model_validator(mode="after")
    def _replicas_under_autoscalers(self, info: ValidationInfo) -> Values:
        """``replicas`` next to an enabled HPA would be ignored (the Deployment leaves replicas to the HPA)."""
        api = self.cost_management.api
        scaled: dict[str, ApiDeployment | RosApi] = {
            "costManagement.api.reads": api.reads,
            "costManagement.api.writes": api.writes,
            "costManagement.api.unified": api.unified,
            "ros.api": self.ros.api,
        }
        defaults = {
            f"costManagement.api.{name}": Api.model_fields[name].default for name in ("reads", "writes", "unified")
        }
        for path, deployment in scaled.items():
            if deployment.autoscaling.enabled and given(info, f"{path}.replicas", deployment, defaults.get(path)):
                raise ValuesError(
                    f"{deployment.replicas} is ignored while autoscaling is on (the HPA owns replicas); set "
                    f"{path}.autoscaling.minReplicas, or turn autoscaling off",
                    at=f"{path}.replicas",
                )
        return self

    @model_validator(mode="after")
    def _names_fit(self) -> Values:
        workers = self.cost_management.workers
        queues = workers.all_pools()
        mixed = [  # pools over several families get their own env ConfigMap
            q
            for q, pool in queues.items()
            if len({queue_family(c) for c in workers.queues_of(q, pool)} & set(KOKU_FAMILIES)) > 1
        ]
        components = [
            LONGEST_FIXED_COMPONENT,
            *([LONGEST_ROS_COMPONENT] if self.ros.enabled else []),
            *(f"worker-{q.replace('_', '-')}" for q in queues),
            *(f"worker-{f.replace('_', '-')}-env" for f in KOKU_FAMILIES),  # the env ConfigMaps
            *(f"worker-{q.replace('_', '-')}-pool-env" for q in mixed),
        ]
        longest = f"{self.release}-{max(components, key=len)}"
        try:
            check_dns_label(longest, "longest object name")
            if self.ros.enabled and self.ros.partition_cleaner.enabled:
                cron_job = f"{self.release}-{LONGEST_CRONJOB}"
                check_dns_label(cron_job, "longest CronJob name", MAX_CRONJOB_NAME_LENGTH)
        except InvalidNameError as err:
            raise ValuesError(f"{self.release!r} is too long: {err}", at="release") from None
        return self
