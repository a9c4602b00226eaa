"""What a workload declares it talks to: the paths its pods need, stated where the pod is built.

The traffic graph (:mod:`.traffic`), and from it the NetworkPolicies and the topology picture,
is built from these declarations; nothing is read back out of env values. A workload talks to

* a Service of the output: the :class:`~.workload.Workload` that serves it, or its
  :class:`ServiceName` where the target is built later (by another tier, or the edge);
* a data store, by its connection (a :class:`StoreConnection`: the Service of the output that
  serves it or the places outside the output), wrapped in :class:`InMessages` when the pod learns
  the store's addresses from messages it consumes (presigned object-storage URLs) rather than
  from its configuration;
* a service outside the output (a :class:`Destination`: an identity provider, an RBAC service);
* the Kubernetes API server (:data:`API_SERVER`).

Which Kafka topics an application produces and consumes is declared apart, per application
(:class:`~.messaging.KafkaClient`, in ``TierSpec.kafka_clients``); reaching the brokers is a data
store like the others. Plain Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceName:
    """A Service of the output, by name; a name the output has no Service of opens nothing (a
    Service the operator runs beside the release)."""

    name: str


@dataclass(frozen=True, kw_only=True)
class Destination:
    """A place outside the output: traffic goes to ``pods`` (a pod selector in the release
    namespace), to ``namespace`` (or the one a ``.svc`` host in ``token`` names), or to the
    configured address ranges, on ``port`` (None: any). ``token`` is what clients are configured
    with (a host, or the ConfigMap an operator fills with one)."""

    what: str
    token: str
    port: int | None
    pods: Mapping[str, str] | None = None
    namespace: str | None = None


IDENTITY_PROVIDER = "identity provider"
"""The ``what`` of the issuer's key endpoint, which has address ranges of its own (often a public service)."""

Place = ServiceName | Destination


@dataclass(frozen=True, kw_only=True)
class StoreConnection:
    """Where a data store's clients connect; every data-store connection is one."""

    places: tuple[Place, ...]


@dataclass(frozen=True)
class InMessages:
    """``store``, at addresses that arrive inside the messages a pod consumes, not in its configuration."""

    store: StoreConnection


@dataclass(frozen=True)
class ApiServer:
    """The Kubernetes API server; only a pod that mounts a service-account token may declare it."""


API_SERVER = ApiServer()

Conversation = ServiceName | StoreConnection | InMessages | Destination | ApiServer
"""One declaration as the inventory records it (a :class:`~.workload.Workload` becomes its Service's name)."""
