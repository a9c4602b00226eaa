"""Typed connections to the data stores: one object per store that every tier consumes.

A connection says where the store is (host, port) and which Secret keys hold its credentials,
so no client derives a host or a Secret name on its own. Unset hosts point at the Services this
release's data tier will run (``<release>-database``, ``-redis``/``-valkey``, ``-minio``,
``-kafka-kafka-bootstrap``). Plain Python: building them never starts Node.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.platform import platform_for
from ..core.secrets import SecretPlan, SecretRef, credential_ref, plan
from ..values import Values
from ..values.data import DatabaseLogin

ODF_S3_ENDPOINT = "https://s3.openshift-storage.svc:443"
MINIO_PORT = 9000


def service_host(values: Values, component: str) -> str:
    """In-cluster DNS name of the Service ``<release>-<component>``."""
    return f"{values.release}-{component}.{values.namespace}.svc"


@dataclass(frozen=True, kw_only=True)
class DatabaseCredentials:
    """One service's database on the shared server, and its login."""

    database: str
    user: SecretRef
    password: SecretRef
    plan: SecretPlan


@dataclass(frozen=True, kw_only=True)
class DatabaseConnection:
    host: str
    port: int
    koku: DatabaseCredentials


@dataclass(frozen=True, kw_only=True)
class CacheConnection:
    host: str
    port: int
    password: SecretRef | None
    """None: the cache takes no password."""
    plan: SecretPlan | None


@dataclass(frozen=True, kw_only=True)
class KafkaConnection:
    host: str
    port: int

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, kw_only=True)
class ObjectStorageConnection:
    endpoint: str
    region: str
    access_key: SecretRef
    secret_key: SecretRef
    plan: SecretPlan


@dataclass(frozen=True, kw_only=True)
class Connections:
    """Every data store of a release, as the tiers see it."""

    database: DatabaseConnection
    cache: CacheConnection
    kafka: KafkaConnection
    object_storage: ObjectStorageConnection

    @property
    def secret_plans(self) -> list[SecretPlan]:
        plans = [self.database.koku.plan, self.object_storage.plan]
        return [*plans, *([self.cache.plan] if self.cache.plan else [])]


def _login(values: Values, login: DatabaseLogin, secret: str) -> DatabaseCredentials:
    default = f"{values.release}-{secret}"
    return DatabaseCredentials(
        database=login.name,
        user=credential_ref(login, default, "username"),
        password=credential_ref(login, default, "password"),
        plan=plan(login, default, seed=values.secrets.seed, literal={"username": login.user}),
    )


def connections(values: Values) -> Connections:
    """The connections ``values`` describe, defaults filled in."""
    platform = platform_for(values.platform)
    seed = values.secrets.seed
    db, cache, kafka, store = values.database, values.cache, values.kafka, values.object_storage
    cache_secret = f"{values.release}-cache"
    if store.endpoint:
        endpoint = store.endpoint
    elif platform.object_storage == "odf":
        endpoint = ODF_S3_ENDPOINT
    else:
        endpoint = f"http://{service_host(values, 'minio')}:{MINIO_PORT}"
    store_secret = f"{values.release}-object-storage"
    return Connections(
        database=DatabaseConnection(
            host=db.host or service_host(values, "database"),
            port=db.port,
            koku=_login(values, db.koku, "koku-db"),
        ),
        cache=CacheConnection(
            host=cache.host or service_host(values, platform.cache_engine),
            port=cache.port,
            password=credential_ref(cache.auth, cache_secret, "password") if cache.auth.enabled else None,
            plan=plan(cache.auth, cache_secret, seed=seed) if cache.auth.enabled else None,
        ),
        kafka=KafkaConnection(host=kafka.host or service_host(values, "kafka-kafka-bootstrap"), port=kafka.port),
        object_storage=ObjectStorageConnection(
            endpoint=endpoint,
            region=store.region,
            access_key=credential_ref(store, store_secret, "access-key"),
            secret_key=credential_ref(store, store_secret, "secret-key"),
            plan=plan(store, store_secret, seed=seed),
        ),
    )
