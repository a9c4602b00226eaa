"""The data tier's declaration: the base chart (namespace, generated Secrets), the data-store
chart, the stores' credentials and what ``external`` stores expect to find."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.secrets import SecretPlan
from ..core.tier import ChartSpec, TierSpec
from ..release import Release
from ..values import Values
from .base import BaseChart
from .chart import DataStoresChart
from .connections import connections, object_storage_mode, strimzi_cluster


def _secret_plans(values: Values) -> Iterable[SecretPlan]:
    return connections(values).secret_plans


def _prerequisites(release: Release) -> list[str]:
    """The namespace if not created, operators whose custom resources the output contains, and
    the servers of ``external`` stores."""
    v, stores, found = release.values, release.connections, []
    if not v.create_namespace:
        found.append(f"Namespace {v.namespace} (createNamespace is false)")
    if v.database.mode == "cloudnativepg":
        found.append("the CloudNativePG operator (postgresql.cnpg.io/v1 Cluster)")
    if v.database.mode == "external":
        db = stores.database
        found.append(
            f"PostgreSQL at {db.host}:{db.port} with a database and login per service "
            f"({', '.join(sorted(c.database for c in db.logins.values()))}), each login's Secret below"
        )
        for creds in sorted(db.logins.values(), key=lambda c: c.database):
            for extension in creds.extensions:
                found.append(
                    f"in database {creds.database}, made by a superuser before its migrations run: "
                    f"CREATE EXTENSION IF NOT EXISTS {extension} SCHEMA public;"
                )
    if v.cache.mode == "external":
        found.append(f"Redis or Valkey at {stores.cache.host}:{stores.cache.port}")
    kafka = stores.kafka
    if v.kafka.mode == "external":
        found.append(
            f"Kafka at {kafka.bootstrap_servers} ({kafka.security_protocol}) with auto-created topics or these: "
            f"{', '.join(sorted({t for c in release.kafka_clients for t in c.topics}))}"
        )
    elif not v.kafka.strimzi.broker.deploy:
        found.append(f"the Strimzi operator and its Kafka cluster {strimzi_cluster(v)} in namespace {v.namespace}")
    else:
        found.append("the Strimzi operator (kafka.strimzi.io/v1beta2, KRaft node pools)")
    mode = object_storage_mode(v)
    if mode == "odf":
        found.append("OpenShift Data Foundation's bucket provisioner (objectbucket.io/v1alpha1 ObjectBucketClaim)")
    elif mode == "external":
        names = ", ".join(sorted(str(b.name) for b in stores.object_storage.buckets.values()))
        found.append(f"S3 at {stores.object_storage.endpoint} with the buckets {names}")
    return found


TIER: TierSpec[Release] = TierSpec(
    name="data",
    charts=(
        ChartSpec(order=10, name="base", build=lambda scope, id, release: BaseChart(scope, id, release=release)),
        ChartSpec(
            order=20, name="data-stores", build=lambda scope, id, release: DataStoresChart(scope, id, release=release)
        ),
    ),
    secret_plans=_secret_plans,
    prerequisites=_prerequisites,
)
