"""The Koku tier's shared context: naming, platform, image and the env every Koku pod gets.

Koku runs without Clowder here (``CLOWDER_ENABLED=False``), so it reads its database and
cache endpoints from env (Koku's ``EnvConfigurator``), not from ``cdappconfig.json``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import constructs

from . import secrets
from .naming import Naming
from .platform import Platform, platform_for
from .values import Values
from .workload import (
    Container,
    EnvVar,
    Workload,
    WorkloadProps,
    field_ref,
    literal,
    secret,
)

KOKU_APP = "koku"
WEB_PORT = 8000
"""Gunicorn's bind port when Clowder is off."""
METRICS_PORT = 9000
"""Koku's probe server (``/livez``, ``/readyz``, ``/metrics``) when Clowder is off."""
PROMETHEUS_DIR = "/tmp"
"""prometheus_client multiprocess files live on the pod's /tmp emptyDir."""


@dataclass(frozen=True, kw_only=True)
class KokuTier:
    """What every Koku construct needs; built once from Values."""

    values: Values

    @property
    def platform(self) -> Platform:
        return platform_for(self.values.platform)

    @property
    def naming(self) -> Naming:
        return Naming(release=self.values.release, app=KOKU_APP, version=self.values.images.koku.version)

    @property
    def image(self) -> str:
        return self.values.images.koku.ref

    def service_host(self, component: str) -> str:
        """In-cluster DNS name of a Service of this release."""
        return f"{self.naming.name(component)}.{self.values.namespace}.svc"

    def cache_host(self) -> str:
        """Redis/Valkey host: the broker and Django cache."""
        return self.values.cost_management.cache.host or self.service_host(self.platform.cache_engine)

    def kafka_env(self) -> list[EnvVar]:
        """Kafka bootstrap for the Kafka consumers (Koku's env configurator)."""
        kafka = self.values.cost_management.kafka
        return [
            literal("KAFKA_CONNECT", "True"),
            literal("INSIGHTS_KAFKA_HOST", kafka.host or self.service_host("kafka-kafka-bootstrap")),
            literal("INSIGHTS_KAFKA_PORT", kafka.port),
        ]

    def common_env(self) -> list[EnvVar]:
        """Env every Koku container gets: runtime, logging, database, cache, Django key."""
        cm = self.values.cost_management
        user, password = secrets.database_credentials(self.values)
        django = secrets.django_secret_key(self.values)
        return [
            literal("CLOWDER_ENABLED", "False"),
            literal("ONPREM", "True"),
            field_ref("APP_POD_NAME", "metadata.name"),
            literal("KOKU_LOG_LEVEL", cm.log_level),
            literal("DJANGO_LOG_LEVEL", cm.log_level),
            secret("DJANGO_SECRET_KEY", django.name, django.key),
            literal("DATABASE_NAME", cm.database.name),
            literal("POSTGRES_SQL_SERVICE_HOST", cm.database.host or self.service_host("database")),
            literal("POSTGRES_SQL_SERVICE_PORT", cm.database.port),
            secret("DATABASE_USER", user.name, user.key),
            secret("DATABASE_PASSWORD", password.name, password.key),
            literal("REDIS_HOST", self.cache_host()),
            literal("REDIS_PORT", cm.cache.port),
            literal("PROMETHEUS_MULTIPROC_DIR", PROMETHEUS_DIR),
        ]

    def workload(
        self, scope: constructs.Construct, id: str, *, component: str, container: Container, **props: Any
    ) -> Workload:
        """A Workload with this tier's naming, platform and image pull settings filled in."""
        images = self.values.images
        return Workload(
            scope,
            id,
            WorkloadProps(
                component=component,
                naming=self.naming,
                platform=self.platform,
                container=container,
                image_pull_policy=images.pull_policy,
                image_pull_secrets=tuple(images.pull_secrets),
                **props,
            ),
        )


def config_checksum(*parts: str) -> str:
    """sha256 of config content: a pod template annotation, so a change rolls exactly those pods."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
    return digest.hexdigest()
