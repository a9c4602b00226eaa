"""NetworkPolicy building blocks: peers, named ports and a policy over a pod selector."""

from __future__ import annotations

from collections.abc import Sequence

import constructs
from cdk8s_plus_28 import k8s

from .naming import Naming
from .platform import Platform

ANY_NAMESPACE = k8s.NetworkPolicyPeer(namespace_selector=k8s.LabelSelector())
SAME_NAMESPACE = k8s.NetworkPolicyPeer(pod_selector=k8s.LabelSelector())
OPENSHIFT_INGRESS = k8s.NetworkPolicyPeer(
    namespace_selector=k8s.LabelSelector(match_labels={"policy-group.network.openshift.io/ingress": ""})
)
"""A host-network OpenShift router is only matched by its namespace's policy group."""


def edge_peers(platform: Platform) -> list[k8s.NetworkPolicyPeer]:
    """Where ingress controllers, OpenShift routers and Gateways run: any namespace (and the host network)."""
    return [ANY_NAMESPACE, *([OPENSHIFT_INGRESS] if platform.name == "openshift" else [])]


def named_port(name: str) -> k8s.NetworkPolicyPort:
    return k8s.NetworkPolicyPort(port=k8s.IntOrString.from_string(name))


def ingress_policy(
    scope: constructs.Construct,
    id: str,
    *,
    naming: Naming,
    component: str,
    pods: k8s.LabelSelector,
    rules: Sequence[k8s.NetworkPolicyIngressRule],
) -> k8s.KubeNetworkPolicy:
    """``<release>-<component>``: only ``rules`` may reach the selected pods."""
    return k8s.KubeNetworkPolicy(
        scope,
        id,
        metadata=k8s.ObjectMeta(name=naming.name(component), labels=naming.labels(component)),
        spec=k8s.NetworkPolicySpec(pod_selector=pods, policy_types=["Ingress"], ingress=list(rules)),
    )
