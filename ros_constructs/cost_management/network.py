"""NetworkPolicies of the Koku tier: ingress only from where it is needed.

Every Koku pod of the release accepts traffic from pods in its own namespace (the router, ROS,
the other Koku services) and Prometheus scrapes on the ``metrics`` port from any namespace.
The API's front door (named by the API construct: the nginx router's ``http`` port, or the API
pods' ``web`` port under a Gateway API HTTPRoute) accepts traffic from any namespace, where
ingress controllers, OpenShift routers and Gateways run. Egress stays open: the database,
Redis, Kafka and S3 endpoints may be operator-supplied hosts.
"""

from __future__ import annotations

import constructs
from cdk8s_plus_28 import k8s

from ..core.network import ANY_NAMESPACE, SAME_NAMESPACE, edge_peers, ingress_policy, named_port
from .api import FrontDoor
from .tier import KokuTier


class KokuNetworkPolicies(constructs.Construct):
    """``<release>-koku-ingress`` (every Koku pod) and ``<release>-api-entry`` (the front door)."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier, front_door: FrontDoor) -> None:
        super().__init__(scope, id)
        naming = tier.naming
        ingress_policy(
            self,
            "Koku",
            naming=naming,
            component="koku-ingress",
            pods=k8s.LabelSelector(match_labels=naming.app_selector()),
            rules=[
                k8s.NetworkPolicyIngressRule(from_=[SAME_NAMESPACE]),
                k8s.NetworkPolicyIngressRule(from_=[ANY_NAMESPACE], ports=[named_port("metrics")]),
            ],
        )
        ingress_policy(
            self,
            "ApiEntry",
            naming=naming,
            component="api-entry",
            pods=front_door.pods,
            rules=[k8s.NetworkPolicyIngressRule(from_=edge_peers(tier.platform), ports=[named_port(front_door.port)])],
        )
