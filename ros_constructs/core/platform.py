"""What differs between plain Kubernetes and OpenShift, in one place.

OpenShift's restricted-v2 SCC assigns the UID, GID and fsGroup from the namespace's range and
rejects any fixed value outside it, so OpenShift pods set none. On Kubernetes a fixed,
high, non-root UID makes ``runAsNonRoot`` verifiable whatever the image's USER says (the
Red Hat UBI images run with any UID, group 0 or not). OpenShift's user workload monitoring
brings the Prometheus Operator; a plain cluster may have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PlatformName = Literal["kubernetes", "openshift"]


@dataclass(frozen=True, kw_only=True)
class Platform:
    """Platform facts the constructs consult; build one with :func:`platform_for`."""

    name: PlatformName
    run_as_user: int | None
    """Fixed UID/GID/fsGroup for pods, or None to let the platform assign them."""
    external_access: Literal["ingress", "route"]
    cache_engine: Literal["redis", "valkey"]
    object_storage: Literal["minio", "odf"]
    storage_class: str | None
    """Default StorageClass for claims; None means the cluster default."""
    prometheus_operator: bool
    """The platform ships the Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule)."""
    prometheus_namespace: str
    """Where the Prometheus that scrapes user namespaces usually runs."""
    ingress_namespace: str
    """Where the ingress controller or Gateway that sends exposed traffic usually runs."""


KUBERNETES = Platform(
    name="kubernetes",
    run_as_user=10001,
    external_access="ingress",
    cache_engine="redis",
    object_storage="minio",
    storage_class=None,
    prometheus_operator=False,
    prometheus_namespace="monitoring",
    ingress_namespace="ingress-nginx",
)

OPENSHIFT = Platform(
    name="openshift",
    run_as_user=None,
    external_access="route",
    cache_engine="valkey",
    object_storage="odf",
    storage_class="ocs-storagecluster-ceph-rbd",
    prometheus_operator=True,
    prometheus_namespace="openshift-user-workload-monitoring",
    ingress_namespace="openshift-ingress",
)


def platform_for(name: PlatformName) -> Platform:
    """The :class:`Platform` for a values ``platform`` key."""
    return OPENSHIFT if name == "openshift" else KUBERNETES
