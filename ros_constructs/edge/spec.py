"""The edge's declaration: its chart (exposure, the gateway, Authorino, network policies), what
it relies on outside the output, and the sidecars it puts in front of front-door routes."""

from __future__ import annotations

from ..core.tier import ChartSpec, TierSpec
from ..release import Release
from .chart import EdgeChart
from .proxy import sidecar_fronting


def _prerequisites(release: Release) -> list[str]:
    """What the exposure and the edge's identity checks rely on outside the output."""
    values = release.values
    edge, found = values.edge, []
    exposure = edge.exposure
    if exposure.type == "ingress":
        found.append(f"an Ingress controller serving ingressClassName {exposure.ingress_class}")
        if exposure.tls_secret:
            found.append(f"Secret {exposure.tls_secret}: the TLS certificate of {exposure.host}")
    elif exposure.type == "gatewayApi":
        for parent in exposure.parent_refs:
            found.append(f"Gateway {parent.namespace or values.namespace}/{parent.name} (Gateway API, edge.exposure)")
    if edge.auth.mode != "none":
        found.append(
            f"the identity provider {edge.auth.jwt.issuer} issuing tokens for {', '.join(edge.auth.jwt.audiences)}"
        )
    if edge.auth.token_review.enabled:
        found.append("the AuthConfig CRD (authorino.kuadrant.io/v1beta3), from the Authorino operator or its manifests")
    return found


TIER: TierSpec[Release] = TierSpec(
    name="edge",
    charts=(ChartSpec(order=80, name="edge", build=lambda scope, id, release: EdgeChart(scope, id, release=release)),),
    prerequisites=_prerequisites,
    fronting=sidecar_fronting,
)
