"""The typed inputs of the Envoy bootstrap: frozen dataclasses that check their fields when built.

A bad value fails here, naming the class, field and value, rather than when Envoy starts; the
checks also refuse what Envoy would accept but the edge must not (a JWKS URI that is not https,
no audiences, a route an earlier one hides). Lists are accepted and frozen to tuples.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_DNS = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")
_FILE = re.compile(r"/[^\s\x00-\x1f\x7f]+")
_TOKEN = re.compile(r"[!-~]+")  # printable ASCII, no space
_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_CLAIM = re.compile(r"[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*")
_ROLE = re.compile(r"[ -~]{1,128}")


def _bad(owner: object, name: str, value: object, why: str) -> ValueError:
    return ValueError(f"{type(owner).__name__}.{name}={value!r}: {why}")


def _check(owner: object, name: str, value: object, pattern: re.Pattern[str], what: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise _bad(owner, name, value, f"must be {what}")


def is_ip(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address (else a DNS name)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _host(owner: object, name: str, value: object) -> None:
    if not isinstance(value, str) or not (is_ip(value) or _DNS.fullmatch(value)):
        raise _bad(owner, name, value, "must be a DNS name or an IP address")


def _port(owner: object, name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise _bad(owner, name, value, "must be a port number (1-65535)")


def _seconds(owner: object, name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0.001:
        raise _bad(owner, name, value, "must be a number of seconds, at least 0.001")


def _strings(owner: object, name: str, pattern: re.Pattern[str], what: str, *, required: bool) -> None:
    """Check a tuple-of-strings field (a list is accepted and frozen; a lone string is refused)."""
    value = getattr(owner, name)
    if isinstance(value, str) or not isinstance(value, tuple | list) or (required and not value):
        raise _bad(owner, name, value, f"must be a {'non-empty ' if required else ''}list of {what}")
    for item in value:
        if not isinstance(item, str) or not pattern.fullmatch(item):
            raise _bad(owner, name, item, f"items must be {what}")
    object.__setattr__(owner, name, tuple(value))


@dataclass(frozen=True, kw_only=True)
class Tls:
    """TLS to an upstream: the CA bundle (a mounted file) and the name its certificate must carry."""

    ca_file: str
    server_name: str | None = None  # SNI and the required SAN; None: the upstream's host

    def __post_init__(self) -> None:
        _check(self, "ca_file", self.ca_file, _FILE, "an absolute file path")
        if self.server_name is not None:
            _host(self, "server_name", self.server_name)


@dataclass(frozen=True, kw_only=True)
class Upstream:
    """A backend Service (or ``127.0.0.1`` for a sidecar); ``name`` becomes the Envoy cluster name."""

    name: str
    host: str
    port: int
    tls: Tls | None = None
    connect_timeout: float = 5.0

    def __post_init__(self) -> None:
        _check(self, "name", self.name, _NAME, "a DNS label (lowercase letters, digits, '-')")
        _host(self, "host", self.host)
        _port(self, "port", self.port)
        _seconds(self, "connect_timeout", self.connect_timeout)


@dataclass(frozen=True, kw_only=True)
class Route:
    """Requests whose path starts with ``prefix`` (or equals ``path``) go to ``upstream``.

    Routes match in order, first match wins. ``authenticated=False`` (health, status) skips auth
    and the identity header; client identity headers are removed either way.
    """

    upstream: Upstream
    prefix: str | None = None
    path: str | None = None
    timeout: float = 30.0
    authenticated: bool = True
    prefix_rewrite: str | None = None

    def __post_init__(self) -> None:
        if (self.prefix is None) == (self.path is None):
            raise _bad(self, "prefix", self.prefix, f"give exactly one of prefix and path (path={self.path!r})")
        for name in ("prefix", "path", "prefix_rewrite"):
            value = getattr(self, name)
            if value is None:
                continue
            _check(self, name, value, _PATH, "an absolute URL path")
            if "//" in value or {".", ".."} & set(value.split("/")):
                raise _bad(self, name, value, "must be normalized (no '//', '.' or '..' segments)")
        if not isinstance(self.upstream, Upstream):
            raise _bad(self, "upstream", self.upstream, "must be an Upstream")
        _seconds(self, "timeout", self.timeout)

    @property
    def match(self) -> str:
        """The prefix or exact path this route matches."""
        return self.prefix if self.prefix is not None else str(self.path)


@dataclass(frozen=True, kw_only=True)
class IdentityClaims:
    """Which verified-token claims build ``x-rh-identity``.

    Each list names claims in order of preference (a dotted name walks nested objects, e.g.
    ``realm_access.roles``); the first present one is used and must be valid, else 401. Values:
    org_id and account_number ``[A-Za-z0-9._-]``, at most 128 characters (strings or whole
    numbers); username and user_id printable ASCII without spaces (150 and 128); email
    ``local@domain``. org_id and username are required; without an account_number claim the
    org_id is used (the upload ingress refuses an empty one); without email, ``""`` (Koku accepts
    it). The user is an org admin when ``org_admin_claim`` is boolean ``true`` or, with
    ``org_admin_role``, a list holding that role; with neither, nobody is.
    """

    org_id: tuple[str, ...] = ("org_id",)
    account_number: tuple[str, ...] = ("account_number",)
    username: tuple[str, ...] = ("preferred_username",)
    email: tuple[str, ...] = ("email",)
    user_id: tuple[str, ...] = ("sub",)
    org_admin_claim: str | None = None
    org_admin_role: str | None = None

    def __post_init__(self) -> None:
        for name in ("org_id", "account_number", "username", "email", "user_id"):
            _strings(
                self,
                name,
                _CLAIM,
                "claim names ([A-Za-z0-9_:-], '.' between nested names)",
                required=name in ("org_id", "username"),
            )
        if self.org_admin_claim is not None:
            _check(self, "org_admin_claim", self.org_admin_claim, _CLAIM, "a claim name")
        if self.org_admin_role is not None:
            if self.org_admin_claim is None:
                raise _bad(self, "org_admin_role", self.org_admin_role, "needs org_admin_claim (the list to look in)")
            _check(self, "org_admin_role", self.org_admin_role, _ROLE, "1-128 printable ASCII characters")


@dataclass(frozen=True, kw_only=True)
class JwtAuth:
    """Bearer tokens verified against an OIDC issuer's JWKS (Keycloak).

    The JWKS cluster comes from ``jwks_uri`` (port 443 unless given; TLS 1.2+, SNI and the
    required SAN are its host, trusted CAs from ``ca_file``, a file the caller mounts).
    Audiences are required: tokens the same issuer gives other clients are refused.
    """

    issuer: str
    jwks_uri: str
    audiences: tuple[str, ...]
    ca_file: str
    claims: IdentityClaims = field(default_factory=IdentityClaims)
    jwks_cache_duration: float = 300.0
    jwks_timeout: float = 5.0
    forward_token: bool = False  # keep the Authorization header for the upstream

    def __post_init__(self) -> None:
        _check(self, "issuer", self.issuer, _TOKEN, "printable ASCII without spaces")
        _check(self, "jwks_uri", self.jwks_uri, _TOKEN, "an https URL")
        try:
            url = urlsplit(self.jwks_uri)
            port = url.port
        except ValueError as err:
            raise _bad(self, "jwks_uri", self.jwks_uri, str(err)) from None
        if url.scheme != "https" or not url.hostname or url.username is not None or port == 0:
            raise _bad(self, "jwks_uri", self.jwks_uri, "must be an https URL with a host and no credentials")
        _strings(self, "audiences", _TOKEN, "audiences (printable ASCII without spaces)", required=True)
        _check(self, "ca_file", self.ca_file, _FILE, "an absolute file path")
        if not isinstance(self.claims, IdentityClaims):
            raise _bad(self, "claims", self.claims, "must be an IdentityClaims")
        _seconds(self, "jwks_cache_duration", self.jwks_cache_duration)
        _seconds(self, "jwks_timeout", self.jwks_timeout)

    @property
    def jwks_host(self) -> str:
        """The JWKS server's host name (or IP), from ``jwks_uri``."""
        return str(urlsplit(self.jwks_uri).hostname)

    @property
    def jwks_port(self) -> int:
        """The JWKS server's port, from ``jwks_uri`` (443 when it names none)."""
        return urlsplit(self.jwks_uri).port or 443


@dataclass(frozen=True, kw_only=True)
class TokenReviewAuth:
    """ext_authz over gRPC+TLS to Authorino, which runs a Kubernetes TokenReview and returns
    ``x-auth-username`` and ``x-auth-uid``; when it fails or is unreachable the request is denied.

    A TokenReview names no organisation: every such user gets ``org_id`` (and ``account_number``,
    default the org id), which the operator configures. ``host`` is also the TLS name checked in
    Authorino's serving certificate (signed by the CA in ``ca_file``).
    """

    host: str
    ca_file: str
    org_id: str
    account_number: str | None = None
    port: int = 50051
    timeout: float = 5.0
    connect_timeout: float = 1.0

    def __post_init__(self) -> None:
        _host(self, "host", self.host)
        _check(self, "ca_file", self.ca_file, _FILE, "an absolute file path")
        _check(self, "org_id", self.org_id, _ID, "1-128 of [A-Za-z0-9._-]")
        if self.account_number is not None:
            _check(self, "account_number", self.account_number, _ID, "1-128 of [A-Za-z0-9._-]")
        _port(self, "port", self.port)
        _seconds(self, "timeout", self.timeout)
        _seconds(self, "connect_timeout", self.connect_timeout)


@dataclass(frozen=True, kw_only=True)
class ServingTls:
    """The listener's own certificate (a Route that re-encrypts to Envoy), from mounted files."""

    cert_file: str
    key_file: str

    def __post_init__(self) -> None:
        _check(self, "cert_file", self.cert_file, _FILE, "an absolute file path")
        _check(self, "key_file", self.key_file, _FILE, "an absolute file path")


@dataclass(frozen=True, kw_only=True)
class EnvoyConfig:
    """One Envoy: a listener on ``listen_port`` (all interfaces; TLS with ``serving_tls``), admin
    on ``127.0.0.1:admin_port``.

    ``request_timeout`` bounds receiving a whole request (uploads included) and
    ``stream_idle_timeout`` a stream with no activity.
    """

    routes: tuple[Route, ...]
    auth: JwtAuth | TokenReviewAuth
    serving_tls: ServingTls | None = None
    listen_port: int = 9080
    admin_port: int = 9901
    request_timeout: float = 300.0
    stream_idle_timeout: float = 300.0

    def __post_init__(self) -> None:
        if isinstance(self.routes, str | Route) or not isinstance(self.routes, tuple | list) or not self.routes:
            raise _bad(self, "routes", self.routes, "must be a non-empty list of Route")
        object.__setattr__(self, "routes", tuple(self.routes))
        upstreams: dict[str, Upstream] = {}
        for i, route in enumerate(self.routes):
            if not isinstance(route, Route):
                raise _bad(self, "routes", route, "must be a Route")
            if upstreams.setdefault(route.upstream.name, route.upstream) != route.upstream:
                raise _bad(self, "routes", route.upstream, "two different upstreams share this name")
            for earlier in self.routes[:i]:
                if route.match.startswith(earlier.match) if earlier.prefix is not None else route.path == earlier.path:
                    raise _bad(self, "routes", route.match, f"unreachable: {earlier.match!r} comes first")
        if not isinstance(self.auth, JwtAuth | TokenReviewAuth):
            raise _bad(self, "auth", self.auth, "must be a JwtAuth or a TokenReviewAuth")
        _port(self, "listen_port", self.listen_port)
        _port(self, "admin_port", self.admin_port)
        if self.admin_port == self.listen_port:
            raise _bad(self, "admin_port", self.admin_port, "must differ from listen_port")
        _seconds(self, "request_timeout", self.request_timeout)
        _seconds(self, "stream_idle_timeout", self.stream_idle_timeout)

    @property
    def upstreams(self) -> tuple[Upstream, ...]:
        """The routes' upstreams, each once, in order of first use."""
        return tuple({r.upstream.name: r.upstream for r in self.routes}.values())
