"""The central Envoy gateway (``edge.auth.mode: gateway``): one Deployment that checks the token and
routes to the front-door routes the tiers declare (``TierSpec.routes``).

Routes match most specific first (the longest prefix): ``<prefix>/v1/recommendations/`` to the
ROS API, ``<prefix>/`` to the Cost Management front door (the nginx router, which splits reads
and writes), ``/api/ingress/`` to the upload ingress. With ``edge.auth.tokenReview`` a route
that takes service-account tokens is passed on without a JWT check: its own Envoy checks
Kubernetes tokens with Authorino.
"""

from __future__ import annotations

from dataclasses import dataclass

import constructs

from ..core.conversations import ServiceName
from ..core.inventory import Inventory
from ..core.naming import Naming
from ..core.plumbing import build_workload
from ..core.tier import FrontDoorRoute
from ..core.tree import Part
from ..core.workload import DeploymentKind
from ..release import Release
from .envoy import Route, Upstream
from .proxy import envoy_proxy, jwt_auth

COMPONENT = "gateway"
SERVICE_PORT = 8080


@dataclass(frozen=True, kw_only=True)
class Backend:
    """A Service the tiers built: its in-cluster host and its first non-metrics port, by number and
    by the name of the pod port it targets (what a Route names)."""

    service: str
    host: str
    port: int
    target_port: str


def backend(objects: Inventory, release: Release, service: str) -> Backend | None:
    """The Service named ``service``, if the output has one."""
    for s in objects.of_kind("Service"):
        if s.name == service:
            port = next(p for p in s.body["spec"]["ports"] if p["name"] != "metrics")
            host = f"{s.name}.{release.namespace}.svc"
            return Backend(service=s.name, host=host, port=port["port"], target_port=port["targetPort"])
    return None


@dataclass(frozen=True, kw_only=True)
class FrontDoor:
    """A declared route and the Service behind it, as built."""

    route: FrontDoorRoute
    backend: Backend


def front_doors(objects: Inventory, release: Release) -> list[FrontDoor]:
    """The declared routes, in tier order, with their Services; a route whose Service the output
    lacks is an error (the tier declared what it did not build)."""
    doors = []
    for route in release.routes:
        found = backend(objects, release, route.service)
        if found is None:
            raise ValueError(f"the {route.name} route names Service {route.service}, which the output lacks")
        doors.append(FrontDoor(route=route, backend=found))
    return doors


class EdgeGateway(Part):
    """``<release>-gateway``: Envoy Deployment, its ConfigMap and Service (port 8080)."""

    def __init__(
        self, scope: constructs.Construct, id: str, *, release: Release, naming: Naming, doors: list[FrontDoor]
    ) -> None:
        super().__init__(scope, id)
        values = release.values
        settings = values.edge.auth.gateway
        timeout = float(settings.request_timeout_seconds)
        token_review = values.edge.auth.token_review.enabled
        ordered = sorted(doors, key=lambda d: -len(d.route.prefix))
        routes = tuple(
            Route(
                prefix=door.route.prefix,
                upstream=Upstream(name=door.route.upstream, host=door.backend.host, port=door.backend.port),
                timeout=timeout,
                authenticated=not (token_review and door.route.service_account_tokens),
            )
            for door in ordered
        )
        # A re-encrypting Route: OpenShift's service CA issues the gateway's certificate, which the
        # router trusts.
        exposure = values.edge.exposure
        serving = naming.name(f"{COMPONENT}-tls") if exposure.route_termination == "reencrypt" else None
        auth = jwt_auth(release)
        proxy = envoy_proxy(
            self,
            release=release,
            naming=naming,
            component=COMPONENT,
            routes=routes,
            auth=auth,
            service_port=SERVICE_PORT,
            serving_secret=serving,
        )
        if serving:
            release.references.provide("Secret", serving, frozenset({"tls.crt", "tls.key"}))
        build_workload(
            self,
            "Workload",
            release,
            naming=naming,
            component=COMPONENT,
            container=proxy.container,
            controller=DeploymentKind(replicas=settings.replicas),
            pod_annotations={"checksum/config": proxy.config_checksum},
            service_annotations={"service.beta.openshift.io/serving-cert-secret-name": serving} if serving else {},
            component_values=settings,
            talks_to=[*(ServiceName(door.backend.service) for door in ordered), *auth.talks_to],
        )
