"""The central Envoy gateway (``edge.auth.mode: gateway``): one Deployment that checks the token and
routes to the services the tiers built, which it finds in the App's inventory by label.

Routes, most specific first: ``<prefix>/v1/recommendations/`` to the ROS API, ``<prefix>/`` to the
Cost Management front door (the nginx router, which splits reads and writes), ``/api/ingress/``
to the upload ingress. With ``edge.auth.tokenReview`` the recommendations route is passed on
without a JWT check: the ROS API's own Envoy checks Kubernetes tokens with Authorino.
"""

from __future__ import annotations

from dataclasses import dataclass

import constructs

from ..core.conversations import ServiceName
from ..core.inventory import Inventory
from ..core.naming import COMPONENT_LABEL, Naming
from ..core.tree import Part
from ..core.workload import DeploymentKind, Workload, WorkloadProps
from ..release import Release
from ..ros.names import API_COMPONENT, INGRESS_APP
from .envoy import Route, Upstream
from .proxy import envoy_proxy, jwt_auth

COMPONENT = "gateway"
SERVICE_PORT = 8080
UPLOAD_PREFIX = "/api/ingress/"
RECOMMENDATIONS = "/v1/recommendations/"


@dataclass(frozen=True, kw_only=True)
class Backend:
    """A Service the tiers built: its in-cluster host and its first non-metrics port, by number and
    by the name of the pod port it targets (what a Route names)."""

    service: str
    host: str
    port: int
    target_port: str


def backend(objects: Inventory, release: Release, component: str, app: str | None = None) -> Backend | None:
    """The Service of ``component`` (of application ``app``), if the output has one."""
    for s in objects.of_kind("Service"):
        labels = s.labels
        if labels.get(COMPONENT_LABEL) == component and (app is None or labels.get("app.kubernetes.io/name") == app):
            port = next(p for p in s.body["spec"]["ports"] if p["name"] != "metrics")
            host = f"{s.name}.{release.namespace}.svc"
            return Backend(service=s.name, host=host, port=port["port"], target_port=port["targetPort"])
    return None


@dataclass(frozen=True, kw_only=True)
class FrontDoors:
    """What the edge exposes: the Cost Management API, the ROS API and the upload ingress."""

    cost_management: Backend
    ros_api: Backend | None
    upload: Backend | None


def front_doors(objects: Inventory, release: Release) -> FrontDoors:
    """The front door of Cost Management is the nginx router, or the API itself under Gateway API."""
    koku = backend(objects, release, "api-router") or backend(objects, release, "api-writes")
    koku = koku or backend(objects, release, "api")
    if koku is None:
        raise ValueError("the edge found no Cost Management API Service in the output")
    return FrontDoors(
        cost_management=koku,
        ros_api=backend(objects, release, API_COMPONENT),
        upload=backend(objects, release, "ingress", INGRESS_APP),
    )


class EdgeGateway(Part):
    """``<release>-gateway``: Envoy Deployment, its ConfigMap and Service (port 8080)."""

    def __init__(
        self, scope: constructs.Construct, id: str, *, release: Release, naming: Naming, doors: FrontDoors
    ) -> None:
        super().__init__(scope, id)
        values = release.values
        settings = values.edge.auth.gateway
        timeout = float(settings.request_timeout_seconds)
        prefix = values.cost_management.api.path_prefix

        def upstream(name: str, door: Backend) -> Upstream:
            return Upstream(name=name, host=door.host, port=door.port)

        routes = []
        if doors.ros_api:
            routes.append(
                Route(
                    prefix=f"{prefix}{RECOMMENDATIONS}",
                    upstream=upstream("ros-api", doors.ros_api),
                    timeout=timeout,
                    authenticated=not values.edge.auth.token_review.enabled,
                )
            )
        routes.append(
            Route(prefix=f"{prefix}/", upstream=upstream("cost-management", doors.cost_management), timeout=timeout)
        )
        if doors.upload:
            routes.append(Route(prefix=UPLOAD_PREFIX, upstream=upstream("upload", doors.upload), timeout=timeout))
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
            routes=tuple(routes),
            auth=auth,
            service_port=SERVICE_PORT,
            serving_secret=serving,
        )
        if serving:
            release.references.provide("Secret", serving, frozenset({"tls.crt", "tls.key"}))
        images = values.images
        Workload(
            self,
            "Workload",
            WorkloadProps(
                component=COMPONENT,
                naming=naming,
                platform=release.platform,
                container=proxy.container,
                controller=DeploymentKind(replicas=settings.replicas),
                pod_annotations={"checksum/config": proxy.config_checksum},
                service_annotations={"service.beta.openshift.io/serving-cert-secret-name": serving} if serving else {},
                image_pull_policy=images.pull_policy,
                image_pull_secrets=tuple(images.pull_secrets),
                references=release.references,
                talks_to=[
                    *(ServiceName(d.service) for d in (doors.ros_api, doors.cost_management, doors.upload) if d),
                    *auth.talks_to,
                ],
            ),
        )
