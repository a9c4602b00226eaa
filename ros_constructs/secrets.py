"""Which Secret (and key) each credential comes from.

The charts never put secret material in env literals or ConfigMaps: every credential is a
``secretKeyRef`` or a read-only file mount of a Secret the operator names (bitnami's
``existingSecret`` pattern) or that takes its documented default name below.
"""

from __future__ import annotations

from dataclasses import dataclass

from .values import Values


@dataclass(frozen=True, kw_only=True)
class SecretRef:
    name: str
    key: str


def django_secret_key(values: Values) -> SecretRef:
    ref = values.cost_management.django_secret_key
    return SecretRef(name=ref.name or f"{values.release}-django", key=ref.key)


def database_credentials(values: Values) -> tuple[SecretRef, SecretRef]:
    """(user, password) of the Koku database."""
    db = values.cost_management.database
    name = db.existing_secret or f"{values.release}-koku-db"
    return SecretRef(name=name, key=db.user_key), SecretRef(name=name, key=db.password_key)


def read_replica_secret(values: Values) -> str:
    return values.cost_management.api.read_replica.existing_secret or f"{values.release}-db-readreplica"


READ_REPLICA_KEYS = ("db_host", "db_port", "db_name", "db_user", "db_password")
"""The files Koku's configurator reads from ``/etc/db/readreplica``."""


def required_secrets(values: Values) -> list[tuple[str, list[str]]]:
    """Every Secret the output references and the keys it must hold (for docs and checks)."""
    user, password = database_credentials(values)
    django = django_secret_key(values)
    needed = [(django.name, [django.key]), (user.name, sorted({user.key, password.key}))]
    replica = values.cost_management.api.read_replica
    if replica.enabled and values.cost_management.api.mode == "split":
        needed.append((read_replica_secret(values), list(READ_REPLICA_KEYS)))
    return needed
