"""The Envoy v3 bootstrap from an :class:`EnvoyConfig`, and its text for a ConfigMap.

HTTP filters, in order: a Lua filter that removes client-sent identity headers (:data:`STRIPPED_HEADERS`)
on every route and is never disabled; ``jwt_authn`` (the provider is required on ``/``) or
``ext_authz``; the identity Lua filter (``identity.lua``, after a ``local CFG = {...}`` table of
its settings) that sets ``x-rh-identity`` from the verified identity (any missing or malformed
value answers 401); the router. A route with ``authenticated=False`` disables the auth and
identity filters only. Flaws of the ROS chart and its successor not repeated here: the admin
interface binds 127.0.0.1; no tenant id is written in code (TokenReview users get the operator's
org id); audiences are required; the JWKS host is verified with a mounted CA file (no certificate
fetch at start, works air-gapped); tokens are read from ``Authorization: Bearer`` only (never
``?access_token=``) and neither they nor their payload are forwarded unless asked; retries only
cover requests that never reached the app (``connect-failure,refused-stream``), so uploads and
other POSTs are not sent twice.

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

import json
from importlib import resources
from typing import Any, Literal

import yaml

from .config import EnvoyConfig, JwtAuth, Route, ServingTls, Tls, TokenReviewAuth, is_ip

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
_BUFFER_LIMIT = 32768


def _duration(seconds: float) -> str:
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"


def _address(host: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": host, "port_value": port}}


def _cluster(name: str, host: str, port: int, tls: Tls | None, connect_timeout: float) -> dict[str, Any]:
    cluster: dict[str, Any] = {
        "name": name,
        "type": "STATIC" if is_ip(host) else "STRICT_DNS",
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
                        {"san_type": "IP_ADDRESS" if is_ip(server) else "DNS", "matcher": {"exact": server}}
                    ],
                },
            },
        }
        if not is_ip(server):
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

# The identity filter's code; _identity_lua puts its settings (`local CFG = {...}`) before it.
_IDENTITY_LUA = resources.files(__package__).joinpath("identity.lua").read_text(encoding="utf-8")


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
    return f"local CFG = {{\n{entries}}}\n\n{_IDENTITY_LUA}"


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
            "require_expiration": True,  # a token without exp would be valid forever once leaked
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
