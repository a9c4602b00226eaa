"""Where the data stores are, for network policy, when they are not pods of this output.

Internal stores are Workloads whose Services the policy builder finds by itself. The others are
named here by the token that appears in their clients' configuration (a host, or the ConfigMap an
operator fills with it) and the pods or ports that serve them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..core.pod import ConfigMapKey
from ..values import Values
from .connections import Connections, cnpg_cluster, object_storage_mode, strimzi_cluster

ODF_NAMESPACE = "openshift-storage"


@dataclass(frozen=True, kw_only=True)
class Destination:
    """A store outside the output: clients mention ``token``; traffic goes to ``pods`` (a pod
    selector in the release namespace), to ``namespace``, or anywhere, on ``port`` (None: any)."""

    what: str
    token: str
    port: int | None
    pods: Mapping[str, str] | None = None
    namespace: str | None = None


def _host_port(address: str, default_port: int) -> tuple[str, int]:
    url = urlsplit(address if "://" in address else f"//{address}")
    return url.hostname or address, url.port or default_port


def store_destinations(values: Values, stores: Connections) -> list[Destination]:
    found = []
    db = stores.database
    if db.mode == "cloudnativepg":
        pods = {"cnpg.io/cluster": cnpg_cluster(values)}
        found += [Destination(what="database", token=h, port=db.port, pods=pods) for h in (db.host, db.read_host) if h]
    elif db.mode == "external":
        found.append(Destination(what="database", token=db.host, port=db.port))
    for replica in (values.cost_management.api.read_replica, values.ros.api.read_replica):
        if replica.enabled and replica.host:
            found.append(Destination(what="database replica", token=replica.host, port=replica.port))
    if values.cache.mode == "external":
        found.append(Destination(what="cache", token=stores.cache.host, port=stores.cache.port))
    kafka = stores.kafka
    for server in kafka.bootstrap_servers.split(","):
        host, port = _host_port(server, 9092)
        brokers = {"strimzi.io/cluster": strimzi_cluster(values)} if kafka.mode == "strimzi" else None
        found.append(Destination(what="kafka", token=host, port=port, pods=brokers))
    s3 = stores.object_storage
    if object_storage_mode(values) == "odf":
        refs = [s3.endpoint, *(b.name for b in s3.buckets.values())]
        claims = sorted({ref.name for ref in refs if isinstance(ref, ConfigMapKey)})
        found += [Destination(what="object storage", token=c, port=None, namespace=ODF_NAMESPACE) for c in claims]
    elif object_storage_mode(values) == "external" and isinstance(s3.endpoint, str) and s3.endpoint:
        host, port = _host_port(s3.endpoint, 443 if s3.endpoint.startswith("https") else 80)
        found.append(Destination(what="object storage", token=host, port=port))
    return found
