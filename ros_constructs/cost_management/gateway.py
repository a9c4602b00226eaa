"""Gateway API alternative to the nginx router: one HTTPRoute with method matches."""

from __future__ import annotations

import constructs

from ..core.emit import Json, api_object
from ..core.kinds import HTTP_ROUTE
from ..core.tree import Part
from .router import Upstreams
from .tier import RECOMMENDATIONS_PATH, KokuTier


class ApiHttpRoute(Part):
    """``<release>-api``: recommendations to ROS, GET/HEAD to reads, everything else to writes.

    Gateway API ranks the longer path prefix first, then matches with a method over those
    without, which gives exactly the nginx router's behaviour.
    """

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier, upstreams: Upstreams) -> None:
        super().__init__(scope, id)
        api = tier.values.cost_management.api
        prefix = api.path_prefix or "/"

        def match(value: str, method: str | None = None) -> Json:
            return {"path": {"type": "PathPrefix", "value": value}, "method": method}

        def backend(service: str, port: int) -> list[Json]:
            return [{"name": service, "port": port}]

        gateway = api.router.gateway
        spec = {
            "parentRefs": [p.model_dump(by_alias=True) for p in gateway.parent_refs],
            "hostnames": list(gateway.hostnames) or None,
            "rules": [
                {
                    "matches": [match(f"{api.path_prefix}{RECOMMENDATIONS_PATH}")],
                    "backendRefs": backend(upstreams.ros_api, upstreams.ros_api_port),
                },
                {
                    "matches": [match(prefix, "GET"), match(prefix, "HEAD")],
                    "backendRefs": backend(upstreams.reads, upstreams.port),
                },
                {"matches": [match(prefix)], "backendRefs": backend(upstreams.writes, upstreams.port)},
            ],
        }
        api_object(
            self,
            "Resource",
            kind=HTTP_ROUTE,
            name=tier.naming.name("api"),
            labels=tier.naming.labels("api-route"),
            body={"spec": spec},
        )
