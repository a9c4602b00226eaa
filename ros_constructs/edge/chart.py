"""``EdgeChart``: what the release looks like from outside its pods: exposure, the authenticating
Envoy, Authorino and the network policies. Built after the tiers, from what they built."""

from __future__ import annotations

import cdk8s
import constructs

from ..release import Release, library_version
from .network import ReleaseNetworkPolicies


class EdgeChart(cdk8s.Chart):
    def __init__(self, scope: constructs.Construct, id: str, *, release: Release) -> None:
        super().__init__(scope, id, namespace=release.namespace, disable_resource_name_hashes=True)
        naming = release.naming("cost-onprem", library_version())
        if release.values.edge.network_policies.enabled:
            ReleaseNetworkPolicies(self, "NetworkPolicies", release=release, naming=naming)
