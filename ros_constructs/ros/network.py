"""NetworkPolicies of the ROS tier, on the same pattern as the Koku tier's.

The ROS backend, Kruize and the Sources API accept traffic from pods in their own namespace
(the Koku router reaches the ROS API, the ROS consumers reach Kruize and Sources, Koku's
sources client reaches Sources); Prometheus scrapes the backend's and Sources' ``metrics``
ports from any namespace.
The upload ingress is the tier's front door: its ``http`` port accepts traffic from any
namespace, where ingress controllers, OpenShift routers and Gateways run. Egress stays open,
as in the Koku tier: the stores may be operator-supplied hosts.
"""

from __future__ import annotations

import constructs
from cdk8s_plus_28 import k8s

from ..core.network import ANY_NAMESPACE, SAME_NAMESPACE, edge_peers, ingress_policy, named_port
from .tier import RosTier


class RosNetworkPolicies(constructs.Construct):
    """``<release>-<app>-ingress`` per in-namespace application and ``<release>-upload-entry``."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: RosTier) -> None:
        super().__init__(scope, id)
        scraped = {tier.backend: True, tier.kruize: False}  # Kruize has no metrics port
        if tier.values.ros.sources.enabled:
            scraped[tier.sources] = True
        for naming, metrics in scraped.items():
            rules = [k8s.NetworkPolicyIngressRule(from_=[SAME_NAMESPACE])]
            if metrics:
                rules.append(k8s.NetworkPolicyIngressRule(from_=[ANY_NAMESPACE], ports=[named_port("metrics")]))
            ingress_policy(
                self,
                naming.app,
                naming=naming,
                component=f"{naming.app}-ingress",
                pods=k8s.LabelSelector(match_labels=naming.app_selector()),
                rules=rules,
            )
        ingress_policy(
            self,
            "UploadEntry",
            naming=tier.ingress,
            component="upload-entry",
            pods=k8s.LabelSelector(match_labels=tier.ingress.app_selector()),
            rules=[k8s.NetworkPolicyIngressRule(from_=edge_peers(tier.platform), ports=[named_port("http")])],
        )
