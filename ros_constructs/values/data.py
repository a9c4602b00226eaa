"""The data stores both tiers use: which ones the release runs, where the others are, and which
Secrets hold their credentials.

Each store has a ``mode``: run it in the release (the default), hand it to an operator
(CloudNativePG, Strimzi, ODF's bucket claims), or point at one you run (``external``). Each
section becomes one typed connection (``ros_constructs.data.connections``) that every client
consumes, so a host, port or credential is stated once for the whole release.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from .base import (
    BucketName,
    Count,
    Credential,
    DnsLabel,
    DnsSubdomain,
    Endpoint,
    Host,
    HostPorts,
    Model,
    Port,
    Resources,
    resources,
)
from .errors import ValuesError
from .pods import Component

Size = Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")]
"""A storage quantity such as ``20Gi``."""


class Volume(Model):
    """A persistent volume claim: its size and StorageClass."""

    size: Size = Field(default="20Gi", description="Requested capacity.")
    storage_class: DnsSubdomain | None = Field(
        default=None, description="StorageClass; unset: ocs-storagecluster-ceph-rbd on OpenShift, else the default."
    )


class ClientJob(Component):
    """A Job that runs one client command against a store (psql, mc)."""

    resources: Resources = Field(
        default_factory=lambda: resources("50m", "64Mi", cpu_limit=None, memory_limit="128Mi"),
        description="One client process, mostly waiting on the server.",
    )


class CaBundle(Credential):
    """A CA certificate (PEM) the clients trust, from your Secret (key ``ca.crt``)."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("ca.crt",)


# --- PostgreSQL ------------------------------------------------------------------------------


class DatabaseLogin(Credential):
    """One service's database and login; the password (and user) come from its Secret."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("username", "password")
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$", description="Database name.")
    user: str = Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$", description="Login name written into a generated Secret.")
    extensions: list[Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")]] = Field(
        default_factory=list,
        description="Extensions created in the database (schema public) as a superuser, for services whose own "
        "migrations create them but cannot (CREATE EXTENSION needs a superuser; the owner then finds it made).",
    )


class DatabaseAdmin(Credential):
    """The superuser password of the internal server (the ensure Job logs in with it);
    Secret default <release>-database-admin."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("password",)


class InternalDatabase(Component):
    """One PostgreSQL StatefulSet in the release."""

    volume: Volume = Field(default_factory=lambda: Volume(size="20Gi"))
    resources: Resources = Field(
        default_factory=lambda: resources("250m", "512Mi", cpu_limit=None, memory_limit="2Gi"),
        description="The PostgreSQL container.",
    )
    admin: DatabaseAdmin = Field(default_factory=DatabaseAdmin)


class CloudNativePg(Model):
    """A CloudNativePG ``Cluster`` (the operator must be installed): clients use its ``-rw``
    Service, Cost Management's read replica its ``-ro`` Service."""

    instances: Count = Field(default=2, description="PostgreSQL instances (one primary, the rest streaming replicas).")
    image_name: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9.:-]+(/[a-z0-9._-]+)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$",
        description="Operand image (registry/repository[:tag][@digest]); unset: the operator's default.",
    )
    volume: Volume = Field(default_factory=lambda: Volume(size="20Gi"))
    resources: Resources = Field(
        default_factory=lambda: resources("250m", "512Mi", cpu_limit=None, memory_limit="2Gi"),
        description="Each instance.",
    )


SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


class ExternalDatabase(Model):
    """A PostgreSQL server you run; the release deploys nothing for it."""

    host: Host | None = Field(default=None, description="Server host name (required in external mode).")
    port: Port = 5432
    ssl_mode: SslMode = Field(default="prefer", description="libpq sslmode for every client.")
    ca: CaBundle | None = Field(default=None, description="CA of the server certificate (verify-ca/verify-full).")


class Database(Model):
    """PostgreSQL: one server, one database and login per service that is on."""

    mode: Literal["internal", "cloudnativepg", "external"] = Field(
        default="internal", description="internal: a StatefulSet; cloudnativepg: a CNPG Cluster; external: yours."
    )
    internal: InternalDatabase = Field(default_factory=InternalDatabase)
    cloudnativepg: CloudNativePg = Field(default_factory=CloudNativePg)
    external: ExternalDatabase = Field(default_factory=ExternalDatabase)
    koku: DatabaseLogin = Field(
        default=DatabaseLogin(name="koku", user="koku", extensions=["pg_stat_statements"]),
        description="Cost Management's database; Secret default <release>-koku-db. Koku's migration "
        "api.0055 creates pg_stat_statements, which its owner cannot: the ensure Job (or you, external) does.",
    )
    ros: DatabaseLogin = Field(
        default=DatabaseLogin(name="ros", user="ros"), description="ROS's database; Secret default <release>-ros-db."
    )
    kruize: DatabaseLogin = Field(
        default=DatabaseLogin(name="kruize", user="kruize"),
        description="Kruize's database; Secret default <release>-kruize-db.",
    )
    sources: DatabaseLogin = Field(
        default=DatabaseLogin(name="sources", user="sources"),
        description="The Sources API's database; Secret default <release>-sources-db.",
    )
    ensure_job: ClientJob = Field(
        default_factory=ClientJob,
        description="The Job that makes every service's login and database (modes internal and cloudnativepg).",
    )

    @model_validator(mode="after")
    def _external_host(self) -> Database:
        if self.mode == "external" and not self.external.host:
            raise ValuesError("mode external needs external.host")
        verifies = self.external.ssl_mode in ("verify-ca", "verify-full")
        if self.mode == "external" and verifies and self.external.ca is None:
            raise ValuesError(f"external.sslMode {self.external.ssl_mode} needs external.ca (the server's CA)")
        return self


# --- Redis / Valkey --------------------------------------------------------------------------


class CacheAuth(Credential):
    """Password auth on the cache (every client and KEDA's redis trigger); Secret default <release>-cache."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("password",)
    enabled: bool = Field(default=False, description="The server requires a password and every client sends it.")


class CacheTls(Credential):
    """TLS on the cache. The Secret (yours, e.g. from cert-manager) holds the server certificate
    and key (used by the deployed server) and the CA every client verifies against."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("tls.crt", "tls.key", "ca.crt")
    enabled: bool = False


class DeployedCache(Component):
    """The cache the release runs: Redis on Kubernetes, Valkey on OpenShift."""

    max_memory: str = Field(default="512mb", pattern=r"^[0-9]+(kb|mb|gb)$", description="maxmemory.")
    eviction_policy: Literal["noeviction", "volatile-lru", "volatile-lfu", "volatile-ttl", "allkeys-lru"] = Field(
        default="volatile-lru",
        description="maxmemory-policy. volatile-*: only keys with a TTL (Django's caches) are evicted, never the "
        "Celery queues that share the server.",
    )
    persistence: bool = Field(default=False, description="Keep an append-only file on a volume.")
    volume: Volume = Field(default_factory=lambda: Volume(size="5Gi"))
    resources: Resources = Field(
        default_factory=lambda: resources("100m", "256Mi", cpu_limit=None, memory_limit="768Mi"),
    )


class ExternalCache(Model):
    host: Host | None = Field(default=None, description="Server host name (required in external mode).")


class Cache(Model):
    """Redis/Valkey: Django caches and the Celery broker."""

    mode: Literal["deploy", "external"] = "deploy"
    port: Port = 6379
    deploy: DeployedCache = Field(default_factory=DeployedCache)
    external: ExternalCache = Field(default_factory=ExternalCache)
    auth: CacheAuth = Field(default_factory=CacheAuth)
    tls: CacheTls = Field(default_factory=CacheTls)

    @model_validator(mode="after")
    def _external_host(self) -> Cache:
        if self.mode == "external" and not self.external.host:
            raise ValuesError("mode external needs external.host")
        return self


# --- Kafka -----------------------------------------------------------------------------------

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]


class KafkaSasl(Credential):
    """SASL credentials (external mode; with Strimzi each client's KafkaUser Secret is used)."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("username", "password")
    mechanism: Literal["PLAIN", "SCRAM-SHA-512"] = "SCRAM-SHA-512"


class StrimziBroker(Model):
    """A KRaft ``Kafka`` with one controller and one broker KafkaNodePool, run by Strimzi."""

    deploy: bool = Field(default=False, description="Create the Kafka cluster itself (else it must exist).")
    version: str = Field(
        default="4.1.0", pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$", description="Kafka version the operator runs."
    )
    controllers: Count = 1
    brokers: Count = 1
    volume: Volume = Field(default_factory=lambda: Volume(size="20Gi"))
    resources: Resources = Field(default_factory=lambda: resources("250m", "1Gi", cpu_limit=None, memory_limit="2Gi"))


class Strimzi(Model):
    """Topics (and users) as Strimzi custom resources for the cluster ``cluster``."""

    cluster: DnsLabel | None = Field(default=None, description="Strimzi Kafka cluster name; default <release>-kafka.")
    partitions: Count = 3
    replicas: Count = Field(default=1, description="Replication factor of every topic.")
    broker: StrimziBroker = Field(default_factory=StrimziBroker)


class Kafka(Model):
    """The Kafka cluster every producer and consumer of the release talks to."""

    mode: Literal["external", "strimzi"] = Field(
        default="external",
        description="external: a cluster you run; strimzi: topics/users (and optionally the "
        "cluster) as Strimzi resources.",
    )
    bootstrap_servers: HostPorts | None = Field(
        default=None,
        description="host:port[,host:port]; default the Strimzi bootstrap Service <release>-kafka-kafka-bootstrap "
        "(in namespace kafka for external mode, the release namespace for strimzi).",
    )
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl: KafkaSasl = Field(default_factory=KafkaSasl)
    ca: CaBundle | None = Field(default=None, description="CA of the brokers' certificates (SSL, SASL_SSL).")
    strimzi: Strimzi = Field(default_factory=Strimzi)

    @property
    def tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @model_validator(mode="after")
    def _supported(self) -> Kafka:
        if self.security_protocol == "SSL":
            raise ValuesError(
                "securityProtocol SSL is not supported: Koku and insights-ingress-go set the clients' security "
                "protocol only together with a SASL mechanism (KAFKA_SASL_MECHANISM, INGRESS_SASLMECHANISM), and "
                "ros-ocp-backend reads TLS only with SASL, so their clients would connect in plaintext; use SASL_SSL"
            )
        if self.mode == "strimzi" and self.uses_sasl and self.sasl.mechanism != "SCRAM-SHA-512":
            raise ValuesError("strimzi mode creates SCRAM-SHA-512 KafkaUsers; set sasl.mechanism SCRAM-SHA-512")
        if self.mode == "strimzi" and self.sasl.existing_secret.name:
            raise ValuesError("strimzi mode uses each client's KafkaUser Secret; unset sasl.existingSecret")
        return self


# --- S3 --------------------------------------------------------------------------------------


class Buckets(Model):
    """The buckets' names (S3's rules: the mc Job, the bucket claims and the clients use them as given)."""

    koku: BucketName = Field(default="koku-bucket", description="Cost Management's bucket (REQUESTED_BUCKET).")
    ros: BucketName = Field(default="ros-data", description="Where Koku puts ROS data (REQUESTED_ROS_BUCKET).")
    subs: BucketName = Field(default="subs-data", description="SUBS exports (REQUESTED_SUBS_BUCKET).")
    upload: BucketName = Field(default="insights-upload-perma", description="The upload ingress's bucket.")


class Minio(Component):
    """MinIO in the release (Kubernetes default)."""

    volume: Volume = Field(default_factory=lambda: Volume(size="20Gi"))
    resources: Resources = Field(default_factory=lambda: resources("100m", "512Mi", cpu_limit=None, memory_limit="1Gi"))
    public_buckets: list[Literal["koku", "ros", "subs", "upload"]] = Field(
        default_factory=list, description="Buckets anyone may download from without a key (none by default)."
    )
    buckets_job: ClientJob = Field(default_factory=ClientJob, description="The Job that makes the buckets.")


class Odf(Model):
    """OpenShift Data Foundation (OpenShift default): one ObjectBucketClaim per bucket."""

    storage_class: DnsSubdomain = Field(default="openshift-storage.noobaa.io", description="The bucket StorageClass.")


class ExternalObjectStorage(Model):
    endpoint: Endpoint | None = Field(
        default=None,
        description="S3 endpoint URL (scheme, host, port), e.g. https://s3.us-east-1.amazonaws.com.",
    )
    ca: CaBundle | None = Field(default=None, description="CA of the endpoint's certificate, if not a public one.")


class ObjectStorage(Credential):
    """S3-compatible storage; keys from the Secret (default <release>-object-storage) except in ODF
    mode, where each bucket claim's Secret holds its own."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("access-key", "secret-key")
    mode: Literal["minio", "odf", "external"] | None = Field(
        default=None, description="Unset: minio on Kubernetes, odf on OpenShift."
    )
    region: str = Field(
        default="onprem", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="S3 region (s3v4 signatures need one)."
    )
    addressing_style: Literal["path", "virtual"] = Field(
        default="path", description="path for MinIO, ODF and Ceph RGW; virtual for AWS S3 buckets with dots-free names."
    )
    buckets: Buckets = Field(default_factory=Buckets)
    minio: Minio = Field(default_factory=Minio)
    odf: Odf = Field(default_factory=Odf)
    external: ExternalObjectStorage = Field(default_factory=ExternalObjectStorage)

    @model_validator(mode="after")
    def _external_endpoint(self) -> ObjectStorage:
        if self.mode == "external" and not self.external.endpoint:
            raise ValuesError("mode external needs external.endpoint")
        return self
