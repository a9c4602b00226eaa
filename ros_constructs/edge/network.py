"""NetworkPolicies of the Koku tier: ingress only from where it is needed.

Every Koku pod of the release accepts traffic from pods in its own namespace (the router, ROS,
the other Koku services) and Prometheus scrapes on the ``metrics`` port from any namespace.
The API's front door (the nginx router's ``http`` port, or the API pods' ``web`` port under a
Gateway API HTTPRoute) accepts traffic from any namespace, where ingress controllers, OpenShift
routers and Gateways run. Egress stays open: the database, Redis, Kafka and S3 endpoints are
operator-supplied hosts.
"""

from __future__ import annotations

import constructs
from cdk8s_plus_28 import k8s

from ..config import KokuTier
from ..naming import COMPONENT_LABEL

ANY_NAMESPACE = k8s.NetworkPolicyPeer(namespace_selector=k8s.LabelSelector())
SAME_NAMESPACE = k8s.NetworkPolicyPeer(pod_selector=k8s.LabelSelector())
OPENSHIFT_INGRESS = k8s.NetworkPolicyPeer(
    namespace_selector=k8s.LabelSelector(match_labels={"policy-group.network.openshift.io/ingress": ""})
)


def _port(name: str) -> k8s.NetworkPolicyPort:
    return k8s.NetworkPolicyPort(port=k8s.IntOrString.from_string(name), protocol="TCP")


class KokuNetworkPolicies(constructs.Construct):
    """``<release>-koku-ingress`` (every Koku pod) and ``<release>-api-entry`` (the front door)."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier) -> None:
        super().__init__(scope, id)
        naming = tier.naming
        koku = {"app.kubernetes.io/name": naming.app, "app.kubernetes.io/instance": naming.release}
        self._policy(
            "Koku",
            "koku-ingress",
            koku,
            [
                k8s.NetworkPolicyIngressRule(from_=[SAME_NAMESPACE]),
                k8s.NetworkPolicyIngressRule(from_=[ANY_NAMESPACE], ports=[_port("metrics")]),
            ],
            tier,
        )
        if tier.values.cost_management.api.router.type == "nginx":
            entry, port = k8s.LabelSelector(match_labels=naming.selector("api-router")), "http"
        else:  # the Gateway's data plane reaches the API pods directly
            api = k8s.LabelSelectorRequirement(
                key=COMPONENT_LABEL, operator="In", values=["api", "api-reads", "api-writes"]
            )
            entry, port = k8s.LabelSelector(match_labels=koku, match_expressions=[api]), "web"
        peers = [ANY_NAMESPACE]
        if tier.platform.name == "openshift":  # a host-network router is only matched by its policy group
            peers.append(OPENSHIFT_INGRESS)
        rule = k8s.NetworkPolicyIngressRule(from_=peers, ports=[_port(port)])
        self._policy("ApiEntry", "api-entry", entry, [rule], tier)

    def _policy(
        self,
        id: str,
        component: str,
        pods: dict[str, str] | k8s.LabelSelector,
        rules: list[k8s.NetworkPolicyIngressRule],
        tier: KokuTier,
    ) -> None:
        selector = pods if isinstance(pods, k8s.LabelSelector) else k8s.LabelSelector(match_labels=pods)
        k8s.KubeNetworkPolicy(
            self,
            id,
            metadata=k8s.ObjectMeta(name=tier.naming.name(component), labels=tier.naming.labels(component)),
            spec=k8s.NetworkPolicySpec(pod_selector=selector, policy_types=["Ingress"], ingress=rules),
        )
