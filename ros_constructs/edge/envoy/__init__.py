"""Envoy v3 bootstrap for the edge: a central gateway or a sidecar, from one generator.

Plain Python (no cdk8s, jsii or values model): the input is the frozen dataclasses of
:mod:`.config`, checked when built; :func:`bootstrap` (:mod:`.renderer`) returns the JSON-ready
bootstrap and :func:`render` the text for a ConfigMap. The identity filter's Lua is the package's
``identity.lua``, embedded as is. The two shapes differ only in their routes and auth:

* central gateway: routes by path prefix to several Services, JWT-authenticated (:class:`JwtAuth`);
* sidecar: everything to ``127.0.0.1:<app port>``, JWT or ext_authz (gRPC) to Authorino doing a
  Kubernetes TokenReview (:class:`TokenReviewAuth`).
"""

from .config import EnvoyConfig, IdentityClaims, JwtAuth, Route, ServingTls, Tls, TokenReviewAuth, Upstream
from .renderer import bootstrap, render

__all__ = [
    "EnvoyConfig",
    "IdentityClaims",
    "JwtAuth",
    "Route",
    "ServingTls",
    "Tls",
    "TokenReviewAuth",
    "Upstream",
    "bootstrap",
    "render",
]
