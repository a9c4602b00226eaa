"""NetworkPolicies of the ROS tier, on the same pattern as the Koku tier's.

The ROS backend, Kruize and the Sources API accept traffic from pods in their own namespace
(the Koku router reaches the ROS API, the ROS consumers reach Kruize and Sources, Koku's
sources client reaches Sources); Prometheus scrapes the backend's and Sources' ``metrics``
ports from any namespace. Kruize serves its metrics on its API port, so only the namespace of
the scraping Prometheus reaches it, and only when a ServiceMonitor scrapes it.
The upload ingress is the tier's front door: its ``http`` port accepts traffic from any
namespace, where ingress controllers, OpenShift routers and Gateways run. Egress stays open,
as in the Koku tier: the stores may be operator-supplied hosts.
"""

from __future__ import annotations

import constructs
from cdk8s_plus_28 import k8s

from ..core.network import ANY_NAMESPACE, SAME_NAMESPACE, edge_peers, ingress_policy, named_port
from .tier import RosTier


def _prometheus_on_http(namespace: str) -> k8s.NetworkPolicyIngressRule:
    peer = k8s.NetworkPolicyPeer(
        namespace_selector=k8s.LabelSelector(match_labels={"kubernetes.io/metadata.name": namespace})
    )
    return k8s.NetworkPolicyIngressRule(from_=[peer], ports=[named_port("http")])


class RosNetworkPolicies(constructs.Construct):
    """``<release>-<app>-ingress`` per in-namespace application and ``<release>-upload-entry``."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: RosTier) -> None:
        super().__init__(scope, id)
        plan = tier.release.monitoring
        metrics = k8s.NetworkPolicyIngressRule(from_=[ANY_NAMESPACE], ports=[named_port("metrics")])
        kruize = _prometheus_on_http(plan.prometheus_namespace) if plan.service_monitors else None
        scrapes = {tier.backend: metrics, tier.kruize: kruize}
        if tier.values.ros.sources.enabled:
            scrapes[tier.sources] = metrics
        for naming, scrape in scrapes.items():
            rules = [k8s.NetworkPolicyIngressRule(from_=[SAME_NAMESPACE]), *([scrape] if scrape else [])]
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
