"""The data stores both tiers use: where they are and which Secrets hold their credentials.

Each section becomes one typed connection (``ros_constructs.data.connections``) that every
client consumes, so a host, port or credential is stated once for the whole release.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .base import Credential, Model, Port


class DatabaseLogin(Credential):
    """One service's database and login; the password (and user) come from its Secret."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("username", "password")
    name: str = Field(description="Database name.")
    user: str = Field(description="User name written into a generated Secret.")


class Database(Model):
    """PostgreSQL: one server, one database and login per service."""

    host: str | None = Field(default=None, description="Default <release>-database.")
    port: Port = 5432
    koku: DatabaseLogin = Field(
        default=DatabaseLogin(name="koku", user="koku"),
        description="Cost Management's database; Secret default <release>-koku-db.",
    )


class CacheAuth(Credential):
    """Password auth on the cache (REDIS_PASSWORD, KEDA's redis trigger)."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("password",)
    enabled: bool = Field(default=False, description="Clients send a password; Secret default <release>-cache.")


class Cache(Model):
    """Redis/Valkey: Django caches and the Celery broker."""

    host: str | None = Field(default=None, description="Default <release>-valkey (OpenShift) or <release>-redis.")
    port: Port = 6379
    auth: CacheAuth = Field(default_factory=CacheAuth)


class Kafka(Model):
    """The Kafka cluster every consumer and producer of the release talks to."""

    host: str | None = Field(default=None, description="Bootstrap host; default <release>-kafka-kafka-bootstrap.")
    port: Port = 9092


class Buckets(Model):
    koku: str = Field(default="hccm-eph-s3", description="Cost Management's bucket (REQUESTED_BUCKET).")
    ros: str = Field(default="hccm-ros-eph-s3", description="Where Koku puts ROS data (REQUESTED_ROS_BUCKET).")
    subs: str = Field(default="hccm-subs-eph-s3", description="SUBS exports (REQUESTED_SUBS_BUCKET).")


class ObjectStorage(Credential):
    """S3-compatible storage (MinIO or ODF on-prem); keys from the Secret, default <release>-object-storage."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("access-key", "secret-key")
    endpoint: str | None = Field(default=None, description="S3 endpoint; default the platform's MinIO or ODF service.")
    region: str = Field(default="us-east-1", description="S3 region.")
    buckets: Buckets = Field(default_factory=Buckets)
