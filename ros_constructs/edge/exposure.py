"""Exposure (``edge.exposure``): OpenShift Routes, one Ingress, or one Gateway API HTTPRoute.

Behind a central gateway ``/api/`` goes to it. Otherwise each front-door route the tiers declare
goes to its Service: ``<prefix>/`` to the Cost Management front door (the router sends the
recommendations on to the ROS API), ``<prefix>/v1/recommendations/`` straight to the ROS API and
``/api/ingress/`` to the upload ingress; with sidecars those Services' ports are their Envoys'.
"""

from __future__ import annotations

from dataclasses import dataclass

import constructs

from ..core.emit import Json, api_object
from ..core.kinds import HTTP_ROUTE, INGRESS, ROUTE
from ..core.naming import Naming
from ..core.tree import Part
from ..release import Release
from .gateway import Backend, FrontDoor


@dataclass(frozen=True, kw_only=True)
class ExposedPath:
    component: str
    """Names the Route (``<release>-<component>``)."""
    prefix: str
    backend: Backend


def exposed_paths(doors: list[FrontDoor], gateway: Backend | None) -> list[ExposedPath]:
    """The gateway alone at ``/api/`` (it routes by path itself and answers 404 for anything else),
    or each declared route the edge exposes, in tier order."""
    if gateway is not None:
        return [ExposedPath(component="api", prefix="/api/", backend=gateway)]
    return [
        ExposedPath(component=d.route.name, prefix=d.route.prefix, backend=d.backend) for d in doors if d.route.exposed
    ]


ROUTE_TIMEOUT = "haproxy.router.openshift.io/timeout"
"""The OpenShift router's per-Route timeout (30 s unless set); the edge's request timeout, unless the
user's annotations say otherwise."""


class Exposure(Part):
    def __init__(
        self, scope: constructs.Construct, id: str, *, release: Release, naming: Naming, paths: list[ExposedPath]
    ) -> None:
        super().__init__(scope, id)
        self.release, self.naming = release, naming
        exposure = release.values.edge.exposure
        if exposure.type == "route":
            for path in paths:
                self._route(path)
        elif exposure.type == "ingress":
            self._ingress(paths)
        elif exposure.type == "gatewayApi":
            self._http_route(paths)

    def _route(self, path: ExposedPath) -> None:
        exposure = self.release.values.edge.exposure
        spec = {
            "host": exposure.host,
            "path": path.prefix.rstrip("/"),
            "to": {"kind": "Service", "name": path.backend.service, "weight": 100},
            "port": {"targetPort": path.backend.target_port},  # a pod port, by name
            "tls": {"termination": exposure.route_termination, "insecureEdgeTerminationPolicy": "Redirect"},
            "wildcardPolicy": "None",
        }
        api_object(
            self,
            path.component,
            kind=ROUTE,
            name=self.naming.name(path.component),
            labels=self.naming.labels(path.component),
            annotations={ROUTE_TIMEOUT: f"{self.release.values.edge.auth.gateway.request_timeout_seconds}s"}
            | exposure.annotations,
            body={"spec": spec},
        )

    def _ingress(self, paths: list[ExposedPath]) -> None:
        exposure = self.release.values.edge.exposure

        def rule_path(p: ExposedPath) -> Json:
            backend = {"service": {"name": p.backend.service, "port": {"number": p.backend.port}}}
            return {"path": p.prefix.rstrip("/"), "pathType": "Prefix", "backend": backend}

        spec = {
            "ingressClassName": exposure.ingress_class,
            "rules": [{"host": exposure.host, "http": {"paths": [rule_path(p) for p in paths]}}],
            "tls": [{"hosts": [exposure.host], "secretName": exposure.tls_secret}] if exposure.tls_secret else None,
        }
        api_object(
            self,
            "Ingress",
            kind=INGRESS,
            name=self.naming.name("edge"),
            labels=self.naming.labels("edge"),
            annotations=exposure.annotations or None,
            body={"spec": spec},
        )

    def _http_route(self, paths: list[ExposedPath]) -> None:
        exposure = self.release.values.edge.exposure
        parents = [p.model_dump(by_alias=True) for p in exposure.parent_refs]
        rules = [
            {
                "matches": [{"path": {"type": "PathPrefix", "value": p.prefix.rstrip("/")}}],
                "backendRefs": [{"name": p.backend.service, "port": p.backend.port}],
            }
            for p in paths
        ]
        spec = {"parentRefs": parents, "hostnames": [exposure.host] if exposure.host else None, "rules": rules}
        api_object(
            self,
            "HttpRoute",
            kind=HTTP_ROUTE,
            name=self.naming.name("edge"),
            labels=self.naming.labels("edge"),
            body={"spec": spec},
        )
