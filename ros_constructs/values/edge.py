"""The edge: how clients outside the cluster reach the APIs, and how they are authenticated.

Nothing is exposed by default: a Route, Ingress or HTTPRoute that reaches the APIs without an
authenticating Envoy in front would let anyone claim any tenant in ``x-rh-identity``.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from .base import (
    Annotations,
    DnsLabel,
    DnsSubdomain,
    HttpsUrl,
    Model,
    Port,
    Replicas,
    Resources,
    SecretKey,
    Token,
    resources,
)
from .cost_management import GatewayParentRef
from .errors import ValuesError
from .pods import Component

ENVOY_LISTEN_PORT = 9080
"""The port every Envoy of the edge (gateway and sidecars) listens on."""


def _cidr(value: str) -> str:
    """An IPv4 or IPv6 network in CIDR notation, as a NetworkPolicy ipBlock takes it."""
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError:
        raise ValuesError(f"{value!r} is not a network in CIDR notation (host bits unset), e.g. 10.0.0.0/8") from None


Cidr = Annotated[str, AfterValidator(_cidr)]
ClaimPath = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$")]


class Exposure(Model):
    """Where the Cost Management API, the ROS recommendations and the upload ingress are reachable
    from outside the cluster: ``/api/cost-management/`` (ROS's ``.../v1/recommendations/`` inside
    it) and ``/api/ingress/``."""

    type: Literal["none", "route", "ingress", "gatewayApi"] = Field(
        default="none", description="none, an OpenShift Route per path, one Ingress, or one Gateway API HTTPRoute."
    )
    host: DnsSubdomain | None = Field(default=None, description="Public host name; unset: the platform's default.")
    annotations: Annotations = Field(default_factory=dict, description="Added to the Routes or the Ingress.")
    ingress_class: DnsLabel = Field(default="nginx", description="ingressClassName of the Ingress.")
    tls_secret: DnsSubdomain | None = Field(
        default=None, description="Ingress: the TLS Secret for the host (needs host); unset: plain http."
    )
    route_termination: Literal["edge", "reencrypt"] = Field(
        default="edge",
        description="Route TLS (http redirects to https): edge (TLS ends at the router) or reencrypt (the router "
        "re-encrypts to the central gateway, which serves a certificate from OpenShift's service CA; needs "
        "auth.mode gateway).",
    )
    parent_refs: list[GatewayParentRef] = Field(
        default_factory=lambda: [GatewayParentRef(name="cost-onprem-gateway")],
        description="gatewayApi: the Gateways the HTTPRoute attaches to.",
    )
    allow_unauthenticated: bool = Field(
        default=False,
        description="Expose the APIs with auth.mode none (clients set x-rh-identity themselves: development only).",
    )


class CaSource(Model):
    """A CA bundle Envoy trusts for the identity provider's TLS, read from a mounted object (no
    fetch at pod start, so it works air-gapped). None set: OpenShift injects the cluster's trusted
    bundle into a ConfigMap the release makes; on Kubernetes the image's system bundle is used."""

    secret: DnsLabel | None = Field(default=None, description="Secret holding the bundle.")
    config_map: DnsLabel | None = Field(default=None, description="ConfigMap holding the bundle.")
    key: SecretKey = Field(default="ca.crt", description="Key of the bundle in the Secret or ConfigMap.")

    @model_validator(mode="after")
    def _one_source(self) -> CaSource:
        if self.secret and self.config_map:
            raise ValuesError("set either secret or configMap, not both")
        return self


class IdentityClaims(Model):
    """Which token claims build the ``x-rh-identity`` header Koku and ROS read."""

    org_id: list[ClaimPath] = Field(
        default_factory=lambda: ["org_id"], min_length=1, description="org_id: the first claim present (401 if none)."
    )
    account_number: list[ClaimPath] = Field(
        default_factory=lambda: ["account_number"], description="account_number: the first claim present, else org_id."
    )
    username: ClaimPath = Field(default="preferred_username", description="identity.user.username.")
    email: ClaimPath = Field(default="email", description="identity.user.email.")
    org_admin: ClaimPath = Field(
        default="is_org_admin",
        description="identity.user.is_org_admin: a boolean claim, or a list claim with orgAdminRole.",
    )
    org_admin_role: Token | None = Field(
        default=None, description="When set, org admins are the tokens whose orgAdmin list claim holds this role."
    )


class Jwt(Model):
    """Tokens from an OpenID Connect issuer (Keycloak / Red Hat build of Keycloak)."""

    issuer: HttpsUrl | None = Field(default=None, description="Token issuer (iss); required with edge.auth.mode set.")
    jwks_uri: HttpsUrl | None = Field(
        default=None, description="Signing keys; unset: Keycloak's <issuer>/protocol/openid-connect/certs."
    )
    audiences: list[Token] = Field(
        default_factory=lambda: ["cost-management-operator", "cost-management-ui"],
        min_length=1,
        description="Accepted aud values: tokens the issuer made for other clients are refused.",
    )
    ca: CaSource = Field(default_factory=CaSource)
    claims: IdentityClaims = Field(default_factory=IdentityClaims)

    @property
    def keys_uri(self) -> str:
        return self.jwks_uri or f"{self.issuer}/protocol/openid-connect/certs"


class TokenReview(Component):
    """OpenShift only: the ROS API also accepts Kubernetes service-account tokens, checked by an
    embedded Authorino (TokenReview) that the Envoy in front of the ROS API asks over TLS."""

    enabled: bool = False
    org_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._-]{1,128}$",
        description="The tenant (org_id) of service-account callers; required when enabled.",
    )
    audiences: list[Token] = Field(
        default_factory=lambda: ["https://kubernetes.default.svc"], min_length=1, description="TokenReview audiences."
    )
    replicas: Replicas = 1
    resources: Resources = Field(default=resources("100m", "128Mi", cpu_limit=None, memory_limit="512Mi"))


class EdgeGateway(Component):
    """The central Envoy Deployment (edge.auth.mode gateway)."""

    replicas: Replicas = 2
    resources: Resources = Field(default=resources("100m", "128Mi", cpu_limit=None, memory_limit="256Mi"))
    request_timeout_seconds: Annotated[int, Field(ge=1, le=3600)] = Field(
        default=180,
        description="How long the edge waits for an answer: this gateway, the sidecars and the OpenShift Routes "
        "(HAProxy's own default is 30 s). Long Cost Management reports need it, and so does an org's first "
        "source, which Koku answers only after building the org's tenant schema (92 s measured at d8055ac).",
    )


class EdgeAuth(Model):
    """Authentication at the edge: none, one central Envoy gateway, or an Envoy sidecar in each
    exposed pod (the router, the ROS API, the upload ingress)."""

    mode: Literal["none", "gateway", "sidecars"] = "none"
    jwt: Jwt = Field(default_factory=Jwt)
    token_review: TokenReview = Field(default_factory=TokenReview)
    gateway: EdgeGateway = Field(default_factory=EdgeGateway)
    sidecar_resources: Resources = Field(
        default=resources("50m", "64Mi", cpu_limit=None, memory_limit="256Mi"), description="Each Envoy sidecar."
    )
    admin_port: Port = Field(default=9901, description="Envoy admin, bound to 127.0.0.1 only.")

    @model_validator(mode="after")
    def _issuer_when_on(self) -> EdgeAuth:
        if self.admin_port == ENVOY_LISTEN_PORT:
            raise ValuesError(f"{self.admin_port} is the port Envoy listens on; choose another", at="adminPort")
        if self.mode != "none" and not self.jwt.issuer:
            raise ValuesError(f"mode {self.mode} needs jwt.issuer")
        if self.token_review.enabled and not self.token_review.org_id:
            raise ValuesError("tokenReview.enabled needs tokenReview.orgId (the tenant of service-account callers)")
        if self.token_review.enabled and self.mode == "none":
            raise ValuesError("tokenReview.enabled needs mode gateway or sidecars (an Envoy asks Authorino)")
        return self


class NetworkPolicies(Model):
    """Default-deny for the release's pods, plus the allows derived from what is deployed."""

    enabled: bool = True
    api_server_ports: list[Port] = Field(
        default_factory=lambda: [443, 6443],
        min_length=1,
        description="Ports pods with a token use to reach the Kubernetes API (service and endpoint ports).",
    )
    ingress_namespaces: list[DnsLabel] | None = Field(
        default=None,
        min_length=1,
        description="Namespaces of the ingress controller or Gateway that sends exposed traffic (Ingresses, and "
        "HTTPRoutes on either platform); only their pods reach the exposed ports. Unset: ingress-nginx on "
        "Kubernetes, openshift-ingress on OpenShift (whose Routes and Ingresses are admitted by the routers' "
        "policy group instead).",
    )
    store_cidrs: list[Cidr] = Field(
        default_factory=lambda: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
        description="Addresses of the stores and services known only by a host name outside the cluster "
        "(external Kafka, database, cache, object storage, RBAC service), reached on their port only. "
        "A <service>.<namespace>.svc host opens that namespace instead. Default: the private ranges "
        "(RFC 1918), so no client reaches the internet or a link-local metadata address; narrow it to "
        "the stores' own addresses.",
    )
    identity_provider_cidrs: list[Cidr] = Field(
        default_factory=lambda: ["0.0.0.0/0"],
        description="Addresses the Envoys and Authorino fetch the issuer's keys from (its port only), when "
        "the JWKS host is not a <service>.<namespace>.svc name. Default: anywhere, as an identity "
        "provider is often a public service; narrow it to the provider's addresses.",
    )


class Edge(Model):
    exposure: Exposure = Field(default_factory=Exposure)
    auth: EdgeAuth = Field(default_factory=EdgeAuth)
    network_policies: NetworkPolicies = Field(default_factory=NetworkPolicies)

    @model_validator(mode="after")
    def _authenticated_exposure(self) -> Edge:
        e = self.exposure
        if e.type != "none" and self.auth.mode == "none" and not e.allow_unauthenticated:
            raise ValuesError(
                f"exposure.type {e.type} with auth.mode none lets anyone set x-rh-identity: set auth.mode gateway "
                "or sidecars (with auth.jwt.issuer), or exposure.allowUnauthenticated true (development only)"
            )
        if e.type == "route" and self.auth.mode != "gateway" and not e.host:
            raise ValuesError(
                "exposure.type route without the central gateway makes a Route per path, which need one "
                "exposure.host (OpenShift would give each its own generated host)"
            )
        if e.tls_secret and not e.host:
            raise ValuesError("exposure.tlsSecret needs exposure.host")
        if e.route_termination == "reencrypt" and (e.type != "route" or self.auth.mode != "gateway"):
            raise ValuesError("exposure.routeTermination reencrypt needs exposure.type route and auth.mode gateway")
        return self
