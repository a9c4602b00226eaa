"""``EdgeChart``: the release as seen from outside its pods: exposure, the authenticating Envoy
gateway, Authorino and the network policies. Built after the tiers, from what they built."""

from __future__ import annotations

import constructs

from ..core.emit import api_object
from ..core.kinds import CONFIG_MAP
from ..core.naming import Naming
from ..core.tree import ReleaseChart, inventory
from ..data.connections import SERVICE_CA_KEY
from ..release import Release, library_version
from .authorino import Authorino
from .exposure import Exposure, exposed_paths
from .gateway import COMPONENT as GATEWAY
from .gateway import EdgeGateway, backend, front_doors
from .network import ReleaseNetworkPolicies
from .proxy import TRUSTED_CA_COMPONENT, TRUSTED_CA_KEY, service_ca_name, trusted_ca_name


class EdgeChart(ReleaseChart):
    """Exposure (Routes, Ingress or an HTTPRoute), the central Envoy gateway, Authorino and
    the NetworkPolicies, derived from what the charts built before it; add it after them."""

    def __init__(self, scope: constructs.Construct, id: str, *, release: Release) -> None:
        super().__init__(scope, id, namespace=release.namespace)
        edge = release.values.edge
        naming = release.naming("cost-onprem", library_version())
        objects = inventory(self)
        doors = front_doors(objects, release)
        self._ca_bundles(release, naming)
        gateway = None
        if edge.auth.mode == "gateway":
            EdgeGateway(self, "Gateway", release=release, naming=naming, doors=doors)
            gateway = backend(objects, release, naming.name(GATEWAY))
        if edge.auth.token_review.enabled:
            Authorino(self, "Authorino", release=release, naming=naming)
        Exposure(self, "Exposure", release=release, naming=naming, paths=exposed_paths(doors, gateway))
        if edge.network_policies.enabled:
            ReleaseNetworkPolicies(self, "NetworkPolicies", release=release, naming=naming)

    def _ca_bundles(self, release: Release, naming: Naming) -> None:
        """OpenShift's injected bundles the Envoys mount, when no other chart made them."""
        auth = release.values.edge.auth
        openshift = release.platform.name == "openshift"
        ca = auth.jwt.ca
        if openshift and auth.mode != "none" and not (ca.secret or ca.config_map):
            name = trusted_ca_name(release)
            api_object(
                self,
                "TrustedCa",
                kind=CONFIG_MAP,
                name=name,
                labels={**naming.labels(TRUSTED_CA_COMPONENT), "config.openshift.io/inject-trusted-cabundle": "true"},
                body={},
            )
            release.references.provide("ConfigMap", name, frozenset({TRUSTED_CA_KEY}))
        service_ca = service_ca_name(release)
        if auth.token_review.enabled and ("ConfigMap", service_ca) not in release.references.provided:
            api_object(
                self,
                "ServiceCa",
                kind=CONFIG_MAP,
                name=service_ca,
                labels=naming.labels("service-ca"),
                annotations={"service.beta.openshift.io/inject-cabundle": "true"},
                body={},
            )
            release.references.provide("ConfigMap", service_ca, frozenset({SERVICE_CA_KEY}))
