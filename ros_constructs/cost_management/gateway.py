"""Gateway API alternative to the nginx router: one HTTPRoute with method matches."""

from __future__ import annotations

import constructs
from cdk8s import ApiObjectMetadata

from .router import RECOMMENDATIONS_PATH, Upstreams
from .tier import KokuTier


class ApiHttpRoute(constructs.Construct):
    """``<release>-api``: recommendations to ROS, GET/HEAD to reads, everything else to writes.

    Gateway API ranks the longer path prefix first, then matches with a method over those
    without, which gives exactly the nginx router's behaviour.
    """

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier, upstreams: Upstreams) -> None:
        # Loaded on use: a CRD binding takes about 0.1 s to load into Node, and most profiles use none.
        from ros_constructs.imports.io.k8s.networking.gateway import (
            HttpRoute,
            HttpRouteSpec,
            HttpRouteSpecParentRefs,
            HttpRouteSpecRules,
            HttpRouteSpecRulesBackendRefs,
            HttpRouteSpecRulesMatches,
            HttpRouteSpecRulesMatchesMethod,
            HttpRouteSpecRulesMatchesPath,
            HttpRouteSpecRulesMatchesPathType,
        )

        super().__init__(scope, id)
        api = tier.values.cost_management.api
        prefix = api.path_prefix or "/"

        def path(value: str) -> HttpRouteSpecRulesMatchesPath:
            return HttpRouteSpecRulesMatchesPath(type=HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value=value)

        def backend(service: str, port: int) -> list[HttpRouteSpecRulesBackendRefs]:
            return [HttpRouteSpecRulesBackendRefs(name=service, port=port)]

        HttpRoute(
            self,
            "Resource",
            metadata=ApiObjectMetadata(name=tier.naming.name("api"), labels=tier.naming.labels("api-route")),
            spec=HttpRouteSpec(
                parent_refs=[
                    HttpRouteSpecParentRefs(name=p.name, namespace=p.namespace, section_name=p.section_name)
                    for p in api.router.gateway.parent_refs
                ],
                hostnames=list(api.router.gateway.hostnames) or None,
                rules=[
                    HttpRouteSpecRules(
                        matches=[HttpRouteSpecRulesMatches(path=path(f"{api.path_prefix}{RECOMMENDATIONS_PATH}"))],
                        backend_refs=backend(upstreams.ros_api, upstreams.ros_api_port),
                    ),
                    HttpRouteSpecRules(
                        matches=[
                            HttpRouteSpecRulesMatches(path=path(prefix), method=HttpRouteSpecRulesMatchesMethod.GET),
                            HttpRouteSpecRulesMatches(path=path(prefix), method=HttpRouteSpecRulesMatchesMethod.HEAD),
                        ],
                        backend_refs=backend(upstreams.reads, upstreams.port),
                    ),
                    HttpRouteSpecRules(
                        matches=[HttpRouteSpecRulesMatches(path=path(prefix))],
                        backend_refs=backend(upstreams.writes, upstreams.port),
                    ),
                ],
            ),
        )
