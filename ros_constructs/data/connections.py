"""Typed connections to the data stores: one object per store that every tier consumes.

A connection says where the store is (host, port, TLS), which Secret keys hold its credentials
and which files a client mounts (CA bundles, the S3 config), so no client derives a host or a
Secret name on its own and a mode change reaches every client. Hosts follow the store's mode:
the Services the data-store chart runs, the ones an operator makes from its custom resources
(CloudNativePG ``-rw``/``-ro``, Strimzi's bootstrap, ODF's bucket claims), or the operator's
own servers. Each connection is also the declaration a client workload makes of the store
(:class:`~ros_constructs.core.conversations.StoreConnection`): the Service of the output that
serves it, or the places outside the output its clients connect to, for the network policies.
Plain Python: building them never starts Node.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol
from urllib.parse import urlsplit

from ..core.conversations import Destination, Place, ServiceName, StoreConnection
from ..core.naming import object_name
from ..core.platform import platform_for
from ..core.pod import ConfigMapFiles, ConfigMapKey, EnvVar, Mount, SecretFiles, config_map_key, literal
from ..core.secrets import SecretPlan, SecretRef, credential_ref, credential_secret, plan
from ..values import Values
from ..values.data import CaBundle, DatabaseLogin

BASIC_AUTH = "kubernetes.io/basic-auth"
"""Login Secrets hold username and password; CloudNativePG's managed roles require this type."""
MINIO_PORT = 9000
POSTGRES_PORT = 5432
STRIMZI_PLAIN_PORT = 9092
STRIMZI_TLS_PORT = 9093
CA_FILE = "ca.crt"
S3_CONFIG_DIR = "/etc/aws-s3"
SERVICE_CA_KEY = "service-ca.crt"
"""The key OpenShift's service CA operator injects into an annotated ConfigMap."""
ODF_NAMESPACE = "openshift-storage"


def service_name(values: Values, component: str) -> ServiceName:
    """The Service ``<release>-<component>`` of the output."""
    return ServiceName(object_name(values.release, component))


def service_host(values: Values, component: str) -> str:
    """In-cluster DNS name of the Service ``<release>-<component>``."""
    return f"{service_name(values, component).name}.{values.namespace}.svc"


def _host_port(address: str, default_port: int) -> tuple[str, int]:
    url = urlsplit(address if "://" in address else f"//{address}")
    return url.hostname or address, url.port or default_port


@dataclass(frozen=True, kw_only=True)
class CaFile:
    """A CA bundle (a Secret or ConfigMap key) that a client mounts as ``<store's dir>/ca.crt``."""

    ref: SecretRef | ConfigMapKey
    volume: str
    """The volume name, and ``/etc/<volume>`` the directory."""

    @property
    def path(self) -> str:
        return f"/etc/{self.volume}/{CA_FILE}"

    @property
    def mount(self) -> Mount:
        ref = self.ref
        if isinstance(ref, SecretRef):
            files: SecretFiles | ConfigMapFiles = SecretFiles(secret_name=ref.name, items={ref.key: CA_FILE})
        else:
            files = ConfigMapFiles(config_map_name=ref.name, items={ref.key: CA_FILE})
        return Mount(name=self.volume, path=f"/etc/{self.volume}", source=files)


@dataclass(frozen=True, kw_only=True)
class TlsClient(StoreConnection):
    """What every connection's clients share: where they connect and an optional CA file to mount
    and point at."""

    ca: CaFile | None = None

    @property
    def ca_file(self) -> str | None:
        return self.ca.path if self.ca else None

    @property
    def ca_ref(self) -> SecretRef | ConfigMapKey | None:
        """The CA's key itself, for clients that take PEM text rather than a file."""
        return self.ca.ref if self.ca else None

    @property
    def mounts(self) -> list[Mount]:
        return [self.ca.mount] if self.ca else []


def _ca(ref: SecretRef | ConfigMapKey | None, volume: str) -> CaFile | None:
    return CaFile(ref=ref, volume=volume) if ref else None


def _ca_ref(ca: CaBundle | None, default_name: str) -> SecretRef | None:
    return credential_ref(ca, default_name, CA_FILE) if ca else None


# --- PostgreSQL ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DatabaseCredentials:
    """One service's database on the shared server, and its login."""

    database: str
    user: SecretRef
    password: SecretRef
    plan: SecretPlan
    user_name: str
    """The login name a generated Secret holds (CloudNativePG's role name)."""
    extensions: tuple[str, ...] = ()
    """Made in the database as a superuser before the service's migrations run."""


@dataclass(frozen=True, kw_only=True)
class DatabaseConnection(TlsClient):
    mode: str
    host: str
    port: int
    logins: dict[str, DatabaseCredentials]
    """Service -> its database and login, for the services that are on."""
    ssl_mode: str | None = None
    """libpq sslmode every client uses; None leaves libpq's default."""
    read_host: str | None = None
    """A streaming replica's Service (CloudNativePG ``-ro``), for read-only clients."""
    read_places: tuple[Place, ...] = ()
    """Where ``read_host`` is."""
    admin: SecretRef | None = None
    """The superuser password the database-ensuring Job logs in with (None: external, nothing to ensure)."""
    admin_user: SecretRef | str = "postgres"
    plans: tuple[SecretPlan, ...] = ()

    @property
    def koku(self) -> DatabaseCredentials:
        return self.logins["koku"]

    def replica(self, host: str | None, port: int) -> StoreConnection:
        """A streaming replica clients read from: ``host`` outside the output, else ``read_host``."""
        if host:
            return StoreConnection(places=(Destination(what="database replica", token=host, port=port),))
        return StoreConnection(places=self.read_places)


def database_services(values: Values) -> dict[str, tuple[DatabaseLogin, str]]:
    """The services that are on and need a database: service -> (its login values, Secret suffix)."""
    return {service: (login, f"{service}-db") for service, login in values.database_logins().items()}


def cnpg_cluster(values: Values) -> str:
    return object_name(values.release, "database")


def _database(values: Values) -> DatabaseConnection:
    db, seed = values.database, values.secrets.seed
    logins = {}
    for service, (login, suffix) in database_services(values).items():
        default = object_name(values.release, suffix)
        logins[service] = DatabaseCredentials(
            database=login.name,
            user=credential_ref(login, default, "username"),
            password=credential_ref(login, default, "password"),
            plan=plan(login, default, seed=seed, literal={"username": login.user}, type=BASIC_AUTH),
            user_name=login.user,
            extensions=tuple(login.extensions),
        )
    plans = tuple(c.plan for c in logins.values())
    if db.mode == "external":
        ext = db.external
        return DatabaseConnection(
            mode=db.mode,
            host=ext.host or "",
            port=ext.port,
            places=(Destination(what="database", token=ext.host or "", port=ext.port),),
            logins=logins,
            ssl_mode=ext.ssl_mode,
            ca=_ca(_ca_ref(ext.ca, object_name(values.release, "database-ca")), "database-ca"),
            plans=plans,
        )
    if db.mode == "cloudnativepg":
        cluster = cnpg_cluster(values)
        superuser = f"{cluster}-superuser"
        host, read_host = f"{cluster}-rw.{values.namespace}.svc", f"{cluster}-ro.{values.namespace}.svc"
        pods = {"cnpg.io/cluster": cluster}
        return DatabaseConnection(
            mode=db.mode,
            host=host,
            port=POSTGRES_PORT,
            places=(Destination(what="database", token=host, port=POSTGRES_PORT, pods=pods),),
            logins=logins,
            ssl_mode="verify-ca",
            ca=CaFile(ref=SecretRef(name=f"{cluster}-ca", key=CA_FILE), volume="database-ca"),
            read_host=read_host,
            read_places=(Destination(what="database", token=read_host, port=POSTGRES_PORT, pods=pods),),
            admin=SecretRef(name=superuser, key="password"),
            admin_user=SecretRef(name=superuser, key="username"),
            plans=plans,
        )
    admin_secret = object_name(values.release, "database-admin")
    admin = db.internal.admin
    return DatabaseConnection(
        mode=db.mode,
        host=service_host(values, "database"),
        port=POSTGRES_PORT,
        places=(service_name(values, "database"),),
        logins=logins,
        admin=credential_ref(admin, admin_secret, "password"),
        plans=(*plans, plan(admin, admin_secret, seed=seed)),
    )


# --- Redis / Valkey --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CacheConnection(TlsClient):
    host: str
    port: int
    password: SecretRef | None
    """None: the cache takes no password."""
    tls: bool = False
    plans: tuple[SecretPlan, ...] = ()


def cache_tls_secret(values: Values) -> str:
    return credential_secret(values.cache.tls, object_name(values.release, "cache-tls"))


def _cache(values: Values) -> CacheConnection:
    cache = values.cache
    engine = platform_for(values.platform).cache_engine
    secret = object_name(values.release, "cache")
    auth, tls = cache.auth, cache.tls
    external = cache.mode == "external"
    host = (cache.external.host or "") if external else service_host(values, engine)
    return CacheConnection(
        host=host,
        port=cache.port,
        places=(Destination(what="cache", token=host, port=cache.port) if external else service_name(values, engine),),
        password=credential_ref(auth, secret, "password") if auth.enabled else None,
        tls=tls.enabled,
        ca=_ca(
            SecretRef(name=cache_tls_secret(values), key=tls.secret_key(CA_FILE)) if tls.enabled else None, "cache-ca"
        ),
        plans=(plan(auth, secret, seed=values.secrets.seed),) if auth.enabled else (),
    )


# --- Kafka -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class KafkaLogin:
    """How one client authenticates: a SASL user name (literal or Secret key) and password."""

    username: SecretRef | str
    password: SecretRef


@dataclass(frozen=True, kw_only=True)
class KafkaConnection(TlsClient):
    mode: str
    bootstrap_servers: str
    security_protocol: str
    sasl_mechanism: str | None
    release: str
    shared_login: KafkaLogin | None = None
    """External mode: the one SASL login every client uses."""

    @property
    def host(self) -> str:
        return self.bootstrap_servers.split(",")[0].rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        return int(self.bootstrap_servers.split(",")[0].rsplit(":", 1)[1])

    @property
    def tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def user_name(self, client: str) -> str:
        """The KafkaUser (Strimzi mode) of one client application."""
        return object_name(self.release, client)

    def login(self, client: str) -> KafkaLogin | None:
        """The SASL login of ``client`` (an application such as ``koku``); None without SASL."""
        if self.sasl_mechanism is None:
            return None
        if self.mode == "strimzi":
            user = self.user_name(client)
            return KafkaLogin(username=user, password=SecretRef(name=user, key="password"))
        return self.shared_login


def strimzi_cluster(values: Values) -> str:
    return values.kafka.strimzi.cluster or object_name(values.release, "kafka")


def _kafka(values: Values) -> KafkaConnection:
    kafka = values.kafka
    mechanism = kafka.sasl.mechanism if kafka.uses_sasl else None
    if kafka.mode == "strimzi":
        cluster = strimzi_cluster(values)
        port = STRIMZI_TLS_PORT if kafka.tls else STRIMZI_PLAIN_PORT
        default = f"{cluster}-kafka-bootstrap.{values.namespace}.svc:{port}"
        ca = SecretRef(name=f"{cluster}-cluster-ca-cert", key=CA_FILE) if kafka.tls else None
        shared = None
    else:
        default = f"{values.release}-kafka-kafka-bootstrap.kafka.svc:{STRIMZI_PLAIN_PORT}"
        ca = _ca_ref(kafka.ca, object_name(values.release, "kafka-ca")) if kafka.tls else None
        secret = object_name(values.release, "kafka-credentials")
        shared = (
            KafkaLogin(
                username=credential_ref(kafka.sasl, secret, "username"),
                password=credential_ref(kafka.sasl, secret, "password"),
            )
            if mechanism
            else None
        )
    servers = kafka.bootstrap_servers or default
    brokers = {"strimzi.io/cluster": strimzi_cluster(values)} if kafka.mode == "strimzi" else None
    places = []
    for server in servers.split(","):
        host, port = _host_port(server, STRIMZI_PLAIN_PORT)
        places.append(Destination(what="kafka", token=host, port=port, pods=brokers))
    return KafkaConnection(
        mode=kafka.mode,
        bootstrap_servers=servers,
        places=tuple(places),
        security_protocol=kafka.security_protocol,
        sasl_mechanism=mechanism,
        ca=_ca(ca, "kafka-ca"),
        release=values.release,
        shared_login=shared,
    )


# --- S3 --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Bucket(StoreConnection):
    """One bucket as a client sees it: its name, the keys that open it and where it is (on ODF
    each claim's ConfigMap names its own host)."""

    name: str | ConfigMapKey
    access_key: SecretRef
    secret_key: SecretRef
    claim: str | None = None
    """The ObjectBucketClaim that makes it (ODF)."""

    def claim_endpoint(self, name: str) -> list[EnvVar]:
        """ODF: ``name`` set to minio-go's ``host:port`` from the claim's ConfigMap, which holds
        host and port apart (nothing without a claim: :attr:`ObjectStorageConnection.host_port`)."""
        if self.claim is None:
            return []
        return [
            config_map_key("BUCKET_HOST", self.claim, "BUCKET_HOST"),
            config_map_key("BUCKET_PORT", self.claim, "BUCKET_PORT"),
            literal(name, "$(BUCKET_HOST):$(BUCKET_PORT)"),
        ]


@dataclass(frozen=True, kw_only=True)
class ObjectStorageConnection(TlsClient):
    mode: str
    endpoint: str | ConfigMapKey
    """URL, or (ODF) the claim ConfigMap's BUCKET_HOST, to which Koku adds https://."""
    region: str
    addressing_style: str
    buckets: dict[str, Bucket]
    """``koku``, ``ros``, ``subs``, ``upload`` -> the bucket."""
    config_map: str
    """The ConfigMap holding the AWS SDK config file (s3v4 signatures, addressing style)."""
    plans: tuple[SecretPlan, ...] = ()

    @property
    def config_file(self) -> str:
        return f"{S3_CONFIG_DIR}/config"

    @property
    def host_port(self) -> tuple[str | None, bool]:
        """minio-go's endpoint (``host:port``, no scheme) and TLS flag; the host is None on ODF
        (each claim's ConfigMap names it: :meth:`Bucket.claim_endpoint`), where it is TLS."""
        if isinstance(self.endpoint, ConfigMapKey):
            return None, True
        url = urlsplit(self.endpoint)
        tls = url.scheme == "https"
        return f"{url.hostname}:{url.port or (443 if tls else 80)}", tls

    @property
    def mounts(self) -> list[Mount]:
        config = Mount(name="s3-config", path=S3_CONFIG_DIR, source=ConfigMapFiles(config_map_name=self.config_map))
        return [config, *super().mounts]


def object_storage_mode(values: Values) -> str:
    return values.object_storage.mode or platform_for(values.platform).object_storage


ODF_CLAIM_OF = {"ros": "koku", "subs": "koku"}
"""ODF: buckets served by another bucket's claim (Koku writes them with its own claim's keys)."""


def buckets_in_use(values: Values) -> set[str]:
    """Every mode has an upload service and its bucket; Koku's data, ROS and SUBS exports are Koku's."""
    return {"upload", "koku", "ros", "subs"} if values.cost_management.enabled else {"upload"}


def bucket_claim(values: Values, bucket: str) -> str:
    return f"{values.release}-{bucket}-bucket"


def _object_storage(values: Values) -> ObjectStorageConnection:
    store, mode = values.object_storage, object_storage_mode(values)
    names = {key: name for key, name in store.buckets.model_dump().items() if key in buckets_in_use(values)}
    config_map = object_name(values.release, "s3-config")
    if mode == "odf":
        # A claim's keys open only its own bucket, and Koku has one key pair: its ROS and SUBS
        # exports go to its own claim's bucket (their object keys do not overlap its data).
        claims = {key: bucket_claim(values, ODF_CLAIM_OF.get(key, key)) for key in names}
        places_of = {
            claim: (Destination(what="object storage", token=claim, port=None, namespace=ODF_NAMESPACE),)
            for claim in sorted(set(claims.values()))
        }
        buckets = {
            key: Bucket(
                name=ConfigMapKey(name=claim, key="BUCKET_NAME"),
                access_key=SecretRef(name=claim, key="AWS_ACCESS_KEY_ID"),
                secret_key=SecretRef(name=claim, key="AWS_SECRET_ACCESS_KEY"),
                claim=claim,
                places=places_of[claim],
            )
            for key, claim in claims.items()
        }
        return ObjectStorageConnection(
            mode=mode,
            endpoint=ConfigMapKey(name=claims.get("koku", claims["upload"]), key="BUCKET_HOST"),
            places=tuple(place for places in places_of.values() for place in places),
            region=store.region,
            addressing_style=store.addressing_style,
            buckets=buckets,
            ca=CaFile(
                ref=ConfigMapKey(name=object_name(values.release, "service-ca"), key=SERVICE_CA_KEY), volume="s3-ca"
            ),
            config_map=config_map,
        )
    secret = object_name(values.release, "object-storage")
    access, secret_key = credential_ref(store, secret, "access-key"), credential_ref(store, secret, "secret-key")
    places: tuple[Place, ...] = ()
    if mode == "minio":
        endpoint = f"http://{service_host(values, 'minio')}:{MINIO_PORT}"
        ca = None
        places = (service_name(values, "minio"),)
    else:
        endpoint = store.external.endpoint or ""
        ca = _ca_ref(store.external.ca, object_name(values.release, "object-storage-ca"))
        if endpoint:
            host, port = _host_port(endpoint, 443 if endpoint.startswith("https") else 80)
            places = (Destination(what="object storage", token=host, port=port),)
    buckets = {
        key: Bucket(name=name, access_key=access, secret_key=secret_key, places=places) for key, name in names.items()
    }
    return ObjectStorageConnection(
        mode=mode,
        endpoint=endpoint,
        places=places,
        region=store.region,
        addressing_style=store.addressing_style,
        buckets=buckets,
        ca=_ca(ca, "s3-ca"),
        config_map=config_map,
        plans=(plan(store, secret, seed=values.secrets.seed, generatable=mode == "minio"),),
    )


# --- all of them -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Connections:
    """Every data store of a release, as the tiers see it."""

    values: Values

    @cached_property
    def database(self) -> DatabaseConnection:
        return _database(self.values)

    @cached_property
    def cache(self) -> CacheConnection:
        return _cache(self.values)

    @cached_property
    def kafka(self) -> KafkaConnection:
        return _kafka(self.values)

    @cached_property
    def object_storage(self) -> ObjectStorageConnection:
        return _object_storage(self.values)

    @property
    def secret_plans(self) -> list[SecretPlan]:
        return [*self.database.plans, *self.cache.plans, *self.object_storage.plans]


class StoreContext(Protocol):
    """What a tier's env table reads of its tier object (a ``TierContext`` is one): the values and
    the data-store connections."""

    @property
    def values(self) -> Values: ...

    @property
    def stores(self) -> Connections: ...


def connections(values: Values) -> Connections:
    """The connections ``values`` describe, defaults filled in."""
    return Connections(values)
