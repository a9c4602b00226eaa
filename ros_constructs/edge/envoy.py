"""Envoy v3 bootstrap for the edge: a central gateway or a sidecar, from one generator.

Plain Python (no cdk8s, jsii or values model): the input is the frozen dataclasses below, checked
when built; :func:`bootstrap` returns the JSON-ready bootstrap and :func:`render` the text for a
ConfigMap. The two shapes differ only in their routes and auth:

* central gateway: routes by path prefix to several Services, JWT-authenticated (:class:`JwtAuth`);
* sidecar: everything to ``127.0.0.1:<app port>``, JWT or ext_authz (gRPC) to Authorino doing a
  Kubernetes TokenReview (:class:`TokenReviewAuth`).

HTTP filters, in order: a Lua filter that removes client-sent identity headers (:data:`STRIPPED_HEADERS`)
on every route and is never disabled; ``jwt_authn`` (the provider is required on ``/``) or
``ext_authz``; the identity Lua filter that sets ``x-rh-identity`` from the verified identity (any
missing or malformed value answers 401); the router. A route with ``authenticated=False`` disables
the auth and identity filters only. Flaws of the ROS chart and its successor not repeated here: the
admin interface binds 127.0.0.1; no tenant id is written in code (TokenReview users get the
operator's org id); audiences are required; the JWKS host is verified with a mounted CA file (no
certificate fetch at start, works air-gapped); tokens are read from ``Authorization: Bearer`` only
(never ``?access_token=``) and neither they nor their payload are forwarded unless asked; retries
only cover requests that never reached the app (``connect-failure,refused-stream``), so uploads
and other POSTs are not sent twice.

What the consumers read from ``x-rh-identity`` (base64 JSON), hence its fields:

* Koku, ``koku/koku/middleware.py`` (IdentityHeaderMiddleware): 403 unless
  ``entitlements.cost_management.is_entitled`` is true; reads ``identity.org_id``,
  ``identity.account_number``, ``identity.type`` (``user`` case-insensitive) and
  ``identity.user.{username,email,is_org_admin}``; a user exists only with username, email not
  null (empty is fine, ``koku/api/iam/models.py``: ``EmailField(blank=True)``, username at most
  150 characters) and org_id (schema ``org<org_id>``, ``koku/api/iam/serializers.py``).
* ROS API, ros-ocp-backend ``internal/api/middleware/identity.go`` (decode only) and
  ``internal/api/handlers.go`` (``identity.org_id``); ``internal/api/middleware/rbac.go`` passes
  the header on to insights-rbac.
* insights-rbac, ``rbac/rbac/middleware.py``: ``identity.org_id`` (else ``identity.internal.org_id``),
  ``identity.account_number``, ``identity.user.{username,is_org_admin,is_internal,user_id}``.
* Upload ingress, insights-ingress-go ``internal/upload/upload.go`` behind platform-go-middlewares
  ``identity/identity.go`` (EnforceIdentity): 400 when ``account_number`` is empty or ``-1``,
  ``internal.org_id`` is empty or ``type`` is empty. Hence ``account_number`` falls back to the
  org id and ``internal.org_id`` repeats it.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

STRIPPED_HEADERS = ("x-rh-identity", "x-auth-username", "x-auth-uid")
STRIP_FILTER = "strip-identity-headers"
IDENTITY_FILTER = "rh-identity"
JWT_FILTER = "envoy.filters.http.jwt_authn"
EXT_AUTHZ_FILTER = "envoy.filters.http.ext_authz"
JWT_PROVIDER = "oidc"
# Underscores: no Upstream name can take these.
JWKS_CLUSTER = "jwks_provider"
AUTHZ_CLUSTER = "ext_authz"

_T = "type.googleapis.com/envoy.extensions."
_HCM = _T + "filters.network.http_connection_manager.v3.HttpConnectionManager"
_LUA = _T + "filters.http.lua.v3.Lua"
_LUA_PER_ROUTE = _T + "filters.http.lua.v3.LuaPerRoute"
_JWT = _T + "filters.http.jwt_authn.v3.JwtAuthentication"
_JWT_PER_ROUTE = _T + "filters.http.jwt_authn.v3.PerRouteConfig"
_EXT_AUTHZ = _T + "filters.http.ext_authz.v3.ExtAuthz"
_EXT_AUTHZ_PER_ROUTE = _T + "filters.http.ext_authz.v3.ExtAuthzPerRoute"
_ROUTER = _T + "filters.http.router.v3.Router"
_TLS = _T + "transport_sockets.tls.v3.UpstreamTlsContext"
_DOWNSTREAM_TLS = _T + "transport_sockets.tls.v3.DownstreamTlsContext"
_HTTP_OPTIONS = _T + "upstreams.http.v3.HttpProtocolOptions"
_STDOUT_LOG = _T + "access_loggers.stream.v3.StdoutAccessLog"

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
_BUFFER_LIMIT = 32768


def _bad(owner: object, name: str, value: object, why: str) -> ValueError:
    return ValueError(f"{type(owner).__name__}.{name}={value!r}: {why}")


def _check(owner: object, name: str, value: object, pattern: re.Pattern[str], what: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise _bad(owner, name, value, f"must be {what}")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _host(owner: object, name: str, value: object) -> None:
    if not isinstance(value, str) or not (_is_ip(value) or _DNS.fullmatch(value)):
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


def _duration(seconds: float) -> str:
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"


def _address(host: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": host, "port_value": port}}


def _cluster(name: str, host: str, port: int, tls: Tls | None, connect_timeout: float) -> dict[str, Any]:
    cluster: dict[str, Any] = {
        "name": name,
        "type": "STATIC" if _is_ip(host) else "STRICT_DNS",
        "connect_timeout": _duration(connect_timeout),
        "per_connection_buffer_limit_bytes": _BUFFER_LIMIT,
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [{"lb_endpoints": [{"endpoint": {"address": _address(host, port)}}]}],
        },
    }
    if tls is not None:
        server = tls.server_name or host
        context: dict[str, Any] = {
            "@type": _TLS,
            "common_tls_context": {
                "tls_params": {"tls_minimum_protocol_version": "TLSv1_2"},
                "validation_context": {
                    "trusted_ca": {"filename": tls.ca_file},
                    "match_typed_subject_alt_names": [
                        {"san_type": "IP_ADDRESS" if _is_ip(server) else "DNS", "matcher": {"exact": server}}
                    ],
                },
            },
        }
        if not _is_ip(server):
            context["sni"] = server
        cluster["transport_socket"] = {"name": "envoy.transport_sockets.tls", "typed_config": context}
    return cluster


def _lua(value: object) -> str:
    """A Lua literal: strings escaped byte by byte (decimal escapes), tuples as arrays."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        safe = (c if " " <= c <= "~" and c not in '"\\' else "".join(f"\\{b:03d}" for b in c.encode()) for c in value)
        return '"' + "".join(safe) + '"'
    if isinstance(value, tuple):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    raise TypeError(f"no Lua literal for {value!r}")


_STRIP_LUA = f"""\
-- Remove identity headers a client sent: only this Envoy's own filters may set them.
local NAMES = {_lua(STRIPPED_HEADERS)}
function envoy_on_request(handle)
  local headers = handle:headers()
  for _, name in ipairs(NAMES) do
    headers:remove(name)
  end
end
"""

# Preceded by `local CFG = {...}` (see _identity_lua).
_IDENTITY_LUA = r"""
-- Set x-rh-identity from the verified identity. A missing or malformed value raises {deny = why}
-- and answers 401; any other error is a bug and answers 500. Every string enters the JSON through
-- json(), which escapes '"', '\' and control characters.
local ID = "^[A-Za-z0-9._-]+$"
local NAME = "^[!-~]+$"
local EMAIL = "^[A-Za-z0-9.!#$%%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$"

local function deny(reason)
  error({deny = reason}, 0)
end

local function json(s)
  return '"' .. (string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end)) .. '"'
end

local function lookup(claims, path)
  local value = claims
  for part in string.gmatch(path, "[^.]+") do
    if type(value) ~= "table" then return nil end
    value = value[part]
  end
  return value
end

-- The first present claim of `paths`, which must be a string (or whole number) matching `pattern`.
local function claim(claims, paths, pattern, max)
  for _, path in ipairs(paths) do
    local value = lookup(claims, path)
    if value ~= nil and value ~= "" then
      if type(value) == "number" and value == math.floor(value) and value >= 0 and value < 2^53 then
        value = string.format("%d", value)
      end
      if type(value) ~= "string" or #value > max or not string.find(value, pattern) then
        deny("invalid claim " .. path)
      end
      return value
    end
  end
  return nil
end

local function required(value, what)
  if value == nil then deny("missing " .. what) end
  return value
end

local function is_org_admin(claims)
  if CFG.admin_claim == nil then return false end
  local value = lookup(claims, CFG.admin_claim)
  if CFG.admin_role == nil then return value == true end
  if type(value) == "table" then
    for _, role in ipairs(value) do
      if role == CFG.admin_role then return true end
    end
  end
  return false
end

-- The verified JWT payload, or the headers the authorization service added (read, then removed;
-- a client's own were removed before that service ran).
local function verified_claims(handle)
  if CFG.headers == nil then
    local metadata = handle:streamInfo():dynamicMetadata():get("envoy.filters.http.jwt_authn")
    local payload = metadata and metadata[CFG.provider]
    if type(payload) ~= "table" then deny("no verified token") end
    return payload
  end
  local headers, claims = handle:headers(), {}
  for _, name in ipairs(CFG.headers) do
    claims[name] = headers:get(name)
    headers:remove(name)
  end
  return claims
end

local function identity(handle)
  local claims = verified_claims(handle)
  local org_id = CFG.org_id_value or required(claim(claims, CFG.org_id, ID, 128), "org_id")
  local account = claim(claims, CFG.account_number, ID, 128) or CFG.account_number_value or org_id
  local user_id = claim(claims, CFG.user_id, NAME, 128)
  local user = '"username":' .. json(required(claim(claims, CFG.username, NAME, 150), "username"))
    .. ',"email":' .. json(claim(claims, CFG.email, EMAIL, 254) or "")
    .. ',"is_org_admin":' .. tostring(is_org_admin(claims))
    .. ',"is_active":true'
    .. (user_id and ',"user_id":' .. json(user_id) or "")
  return '{"identity":{"type":"User","org_id":' .. json(org_id)
    .. ',"account_number":' .. json(account)
    .. ',"internal":{"org_id":' .. json(org_id) .. '}'
    .. ',"user":{' .. user .. '}}'
    .. ',"entitlements":{"cost_management":{"is_entitled":true}}}'
end

function envoy_on_request(handle)
  local ok, result = pcall(identity, handle)
  if ok then
    handle:headers():replace("x-rh-identity", handle:base64Escape(result))
  elseif type(result) == "table" then
    handle:logWarn("x-rh-identity refused: " .. result.deny)
    handle:respond({[":status"] = "401"}, "Unauthorized")
  else
    handle:logErr("x-rh-identity failed: " .. tostring(result))
    handle:respond({[":status"] = "500"}, "Internal Server Error")
  end
end
"""


def _identity_lua(auth: JwtAuth | TokenReviewAuth) -> str:
    if isinstance(auth, JwtAuth):
        c = auth.claims
        cfg: dict[str, object] = {
            "provider": JWT_PROVIDER,
            "org_id": c.org_id,
            "account_number": c.account_number,
            "username": c.username,
            "email": c.email,
            "user_id": c.user_id,
            "admin_claim": c.org_admin_claim,
            "admin_role": c.org_admin_role,
        }
    else:
        cfg = {
            "headers": ("x-auth-username", "x-auth-uid"),
            "org_id_value": auth.org_id,
            "account_number_value": auth.account_number,
            "org_id": (),
            "account_number": (),
            "username": ("x-auth-username",),
            "email": (),
            "user_id": ("x-auth-uid",),
        }
    entries = "".join(f"  {key} = {_lua(value)},\n" for key, value in cfg.items() if value is not None)
    return f"local CFG = {{\n{entries}}}\n{_IDENTITY_LUA}"


def _auth_filter(auth: JwtAuth | TokenReviewAuth) -> tuple[dict[str, Any], dict[str, Any]]:
    """The auth HTTP filter and the cluster it calls."""
    if isinstance(auth, JwtAuth):
        provider: dict[str, Any] = {
            "issuer": auth.issuer,
            "audiences": list(auth.audiences),
            "remote_jwks": {
                "http_uri": {"uri": auth.jwks_uri, "cluster": JWKS_CLUSTER, "timeout": _duration(auth.jwks_timeout)},
                "cache_duration": _duration(auth.jwks_cache_duration),
            },
            "from_headers": [{"name": "Authorization", "value_prefix": "Bearer "}],
            "forward": auth.forward_token,
            "payload_in_metadata": JWT_PROVIDER,
        }
        config: dict[str, Any] = {
            "@type": _JWT,
            "providers": {JWT_PROVIDER: provider},
            "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": JWT_PROVIDER}}],
        }
        tls = Tls(ca_file=auth.ca_file, server_name=auth.jwks_host)
        cluster = _cluster(JWKS_CLUSTER, auth.jwks_host, auth.jwks_port, tls, auth.jwks_timeout)
        return {"name": JWT_FILTER, "typed_config": config}, cluster
    config = {
        "@type": _EXT_AUTHZ,
        "transport_api_version": "V3",
        "grpc_service": {"envoy_grpc": {"cluster_name": AUTHZ_CLUSTER}, "timeout": _duration(auth.timeout)},
        "failure_mode_allow": False,
        "status_on_error": {"code": "ServiceUnavailable"},
    }
    cluster = _cluster(AUTHZ_CLUSTER, auth.host, auth.port, Tls(ca_file=auth.ca_file), auth.connect_timeout)
    cluster["typed_extension_protocol_options"] = {
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
            "@type": _HTTP_OPTIONS,
            "explicit_http_config": {"http2_protocol_options": {}},
        }
    }
    return {"name": EXT_AUTHZ_FILTER, "typed_config": config}, cluster


def _route(route: Route, auth_filter: str) -> dict[str, Any]:
    action: dict[str, Any] = {
        "cluster": route.upstream.name,
        "timeout": _duration(route.timeout),
        "retry_policy": {"retry_on": "connect-failure,refused-stream", "num_retries": 2},
    }
    if route.prefix_rewrite is not None:
        action["prefix_rewrite"] = route.prefix_rewrite
    out: dict[str, Any] = {"match": {"prefix" if route.prefix is not None else "path": route.match}, "route": action}
    if not route.authenticated:
        per_route = _JWT_PER_ROUTE if auth_filter == JWT_FILTER else _EXT_AUTHZ_PER_ROUTE
        out["typed_per_filter_config"] = {
            auth_filter: {"@type": per_route, "disabled": True},
            IDENTITY_FILTER: {"@type": _LUA_PER_ROUTE, "disabled": True},
        }
    return out


_ACCESS_LOG = {
    "start_time": "%START_TIME%",
    "method": "%REQ(:METHOD)%",
    "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
    "authority": "%REQ(:AUTHORITY)%",
    "protocol": "%PROTOCOL%",
    "response_code": "%RESPONSE_CODE%",
    "response_flags": "%RESPONSE_FLAGS%",
    "bytes_received": "%BYTES_RECEIVED%",
    "bytes_sent": "%BYTES_SENT%",
    "duration_ms": "%DURATION%",
    "upstream_cluster": "%UPSTREAM_CLUSTER%",
    "upstream_host": "%UPSTREAM_HOST%",
    "request_id": "%REQ(X-REQUEST-ID)%",
    "user_agent": "%REQ(USER-AGENT)%",
    "x_forwarded_for": "%REQ(X-FORWARDED-FOR)%",
}


def bootstrap(config: EnvoyConfig) -> dict[str, Any]:
    """The Envoy v3 bootstrap (static resources) for ``config``, as JSON-ready data."""
    auth_filter, auth_cluster = _auth_filter(config.auth)
    lua = [
        {"name": name, "typed_config": {"@type": _LUA, "default_source_code": {"inline_string": source}}}
        for name, source in ((STRIP_FILTER, _STRIP_LUA), (IDENTITY_FILTER, _identity_lua(config.auth)))
    ]
    hcm = {
        "@type": _HCM,
        "stat_prefix": "ingress_http",
        "codec_type": "AUTO",
        "use_remote_address": True,
        "normalize_path": True,
        "merge_slashes": True,
        "path_with_escaped_slashes_action": "UNESCAPE_AND_REDIRECT",
        "request_timeout": _duration(config.request_timeout),
        "stream_idle_timeout": _duration(config.stream_idle_timeout),
        "max_request_headers_kb": 96,
        "common_http_protocol_options": {
            "idle_timeout": "300s",
            "max_connection_duration": "600s",
            "headers_with_underscores_action": "REJECT_REQUEST",
        },
        "http2_protocol_options": {
            "max_concurrent_streams": 100,
            "initial_stream_window_size": 65536,
            "initial_connection_window_size": 1048576,
        },
        "access_log": [
            {
                "name": "envoy.access_loggers.stdout",
                "typed_config": {"@type": _STDOUT_LOG, "log_format": {"json_format": _ACCESS_LOG}},
            }
        ],
        "route_config": {
            "name": "routes",
            "virtual_hosts": [
                {"name": "all", "domains": ["*"], "routes": [_route(r, auth_filter["name"]) for r in config.routes]}
            ],
        },
        "http_filters": [
            lua[0],
            auth_filter,
            lua[1],
            {"name": "envoy.filters.http.router", "typed_config": {"@type": _ROUTER}},
        ],
    }
    listener = {
        "name": "http",
        "address": _address("0.0.0.0", config.listen_port),
        "per_connection_buffer_limit_bytes": _BUFFER_LIMIT,
        "filter_chains": [
            {
                "filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": hcm}],
                **({"transport_socket": _serving_tls(config.serving_tls)} if config.serving_tls else {}),
            }
        ],
    }
    clusters = [_cluster(u.name, u.host, u.port, u.tls, u.connect_timeout) for u in config.upstreams]
    return {
        "admin": {"address": _address("127.0.0.1", config.admin_port)},
        "static_resources": {"listeners": [listener], "clusters": [*clusters, auth_cluster]},
    }


def _serving_tls(tls: ServingTls) -> dict[str, Any]:
    certificate = {"certificate_chain": {"filename": tls.cert_file}, "private_key": {"filename": tls.key_file}}
    context = {
        "@type": _DOWNSTREAM_TLS,
        "common_tls_context": {
            "tls_params": {"tls_minimum_protocol_version": "TLSv1_2"},
            "tls_certificates": [certificate],
        },
    }
    return {"name": "envoy.transport_sockets.tls", "typed_config": context}


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the Lua sources) as literal blocks, so reviewers read code, not escapes."""


_Dumper.add_representer(
    str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)
)


def render(config: dict[str, Any], fmt: Literal["yaml", "json"] = "yaml") -> str:
    """Deterministic text of a bootstrap (keys sorted) for a ConfigMap."""
    if fmt == "json":
        return json.dumps(config, indent=2, sort_keys=True) + "\n"
    return yaml.dump(config, Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=120)
