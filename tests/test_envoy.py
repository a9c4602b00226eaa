"""The Envoy bootstrap generator: a strict parse against the Envoy v3 API (xds-protos), the
security invariants read back from the parsed config, and the identity Lua run under LuaJIT (the
Lua Envoy embeds) with a stub request handle."""

from __future__ import annotations

import base64
import copy
import importlib
import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from envoy.config.bootstrap.v3.bootstrap_pb2 import Bootstrap
from envoy.extensions.filters.http.ext_authz.v3.ext_authz_pb2 import ExtAuthz
from envoy.extensions.filters.http.jwt_authn.v3.config_pb2 import JwtAuthentication
from envoy.extensions.filters.network.http_connection_manager.v3.http_connection_manager_pb2 import (
    HttpConnectionManager,
)
from envoy.extensions.transport_sockets.tls.v3.tls_pb2 import UpstreamTlsContext
from google.protobuf import json_format

from ros_constructs.edge.envoy import (
    EnvoyConfig,
    IdentityClaims,
    JwtAuth,
    Route,
    Tls,
    TokenReviewAuth,
    Upstream,
    bootstrap,
    render,
)
from ros_constructs.edge.envoy.renderer import (
    AUTHZ_CLUSTER,
    EXT_AUTHZ_FILTER,
    IDENTITY_FILTER,
    JWKS_CLUSTER,
    JWT_FILTER,
    JWT_PROVIDER,
    STRIP_FILTER,
    STRIPPED_HEADERS,
)

# Every extension the generator names by @type: importing registers it, so Any fields resolve.
for _module in (
    "access_loggers.stream.v3.stream_pb2",
    "filters.http.lua.v3.lua_pb2",
    "filters.http.router.v3.router_pb2",
    "upstreams.http.v3.http_protocol_options_pb2",
):
    importlib.import_module(f"envoy.extensions.{_module}")

CA = "/etc/envoy/ca/ca-bundle.crt"
ROS = Upstream(name="ros-api", host="cost-ros-api.cost.svc", port=8000)
KOKU = Upstream(name="koku-api", host="cost-koku-api.cost.svc", port=8000)
INGRESS = Upstream(name="ingress", host="cost-ingress.cost.svc", port=8081, tls=Tls(ca_file="/etc/envoy/svc-ca.crt"))
APP = Upstream(name="app", host="127.0.0.1", port=8000)
JWT = JwtAuth(
    issuer="https://sso.example.test/realms/cost",
    jwks_uri="https://sso.example.test:8443/realms/cost/protocol/openid-connect/certs",
    audiences=("cost-management-operator", "cost-management-ui"),
    ca_file=CA,
)
TOKEN_REVIEW = TokenReviewAuth(
    host="cost-authorino-authorization.cost.svc",
    ca_file="/var/run/secrets/kubernetes.io/serviceaccount/service-ca.crt",
    org_id="o-4711",
)


def gateway(auth: JwtAuth | TokenReviewAuth = JWT) -> EnvoyConfig:
    return EnvoyConfig(
        routes=(
            Route(prefix="/api/cost-management/v1/recommendations/", upstream=ROS),
            Route(prefix="/api/cost-management/", upstream=KOKU, timeout=60),
            Route(path="/api/ingress/ready", upstream=INGRESS, authenticated=False, prefix_rewrite="/ready"),
            Route(prefix="/api/ingress/", upstream=INGRESS, timeout=180),
        ),
        auth=auth,
    )


def sidecar(auth: JwtAuth | TokenReviewAuth) -> EnvoyConfig:
    return EnvoyConfig(
        routes=(Route(path="/status", upstream=APP, authenticated=False, timeout=5), Route(prefix="/", upstream=APP)),
        auth=auth,
    )


SHAPES = {"gateway-jwt": gateway(), "sidecar-jwt": sidecar(JWT), "sidecar-tokenreview": sidecar(TOKEN_REVIEW)}


def parse(config: dict[str, Any]) -> Any:
    """Strict: an unknown field anywhere (inside typed_config too) or an unknown @type is an error."""
    return json_format.ParseDict(config, Bootstrap())


def hcm(config: dict[str, Any]) -> dict[str, Any]:
    typed: dict[str, Any] = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]
    return typed["typed_config"]  # type: ignore[no-any-return]


def cluster(message: Any, name: str) -> Any:
    return next(c for c in message.static_resources.clusters if c.name == name)


def unpack(any_field: Any, message: Any) -> Any:
    assert any_field.Unpack(message)
    return message


@pytest.mark.parametrize("shape", SHAPES)
def test_bootstrap_parses_strictly_and_renders_deterministically(shape: str) -> None:
    config = bootstrap(SHAPES[shape])
    parse(config)
    assert yaml.safe_load(render(config)) == config
    assert json.loads(render(config, "json")) == config
    assert render(bootstrap(SHAPES[shape])) == render(config)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda c: c["admin"]["address"]["socket_address"].update(adress="127.0.0.1"),
        lambda c: hcm(c).update(stream_idle_timout="300s"),
        lambda c: hcm(c)["http_filters"][1]["typed_config"]["providers"][JWT_PROVIDER].update(audience=["x"]),
        lambda c: hcm(c)["http_filters"][0]["typed_config"].update({"@type": "type.googleapis.com/envoy.Nope"}),
    ],
    ids=["top-level", "inside-typed-config", "jwt-provider", "unknown-type"],
)
def test_strict_parse_refuses_misspelled_fields(spoil: Any) -> None:
    config = copy.deepcopy(bootstrap(gateway()))
    spoil(config)
    with pytest.raises(json_format.ParseError):
        parse(config)


def test_jwt_inputs_reach_the_parsed_config() -> None:
    message = parse(bootstrap(gateway()))
    manager = unpack(
        message.static_resources.listeners[0].filter_chains[0].filters[0].typed_config, HttpConnectionManager()
    )
    jwt_filter = next(f for f in manager.http_filters if f.name == JWT_FILTER)
    authn = unpack(jwt_filter.typed_config, JwtAuthentication())
    provider = authn.providers[JWT_PROVIDER]
    assert provider.issuer == JWT.issuer
    assert list(provider.audiences) == list(JWT.audiences)
    assert provider.remote_jwks.http_uri.uri == JWT.jwks_uri
    assert provider.remote_jwks.http_uri.cluster == JWKS_CLUSTER
    assert provider.payload_in_metadata == JWT_PROVIDER
    # The token only from "Authorization: Bearer" (never ?access_token=), not forwarded, no payload header.
    assert [(h.name, h.value_prefix) for h in provider.from_headers] == [("Authorization", "Bearer ")]
    assert not provider.from_params and not provider.forward and not provider.forward_payload_header
    [rule] = authn.rules
    assert rule.match.prefix == "/" and rule.requires.provider_name == JWT_PROVIDER
    jwks = cluster(message, JWKS_CLUSTER)
    address = jwks.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address
    assert (address.address, address.port_value) == ("sso.example.test", 8443)
    tls = unpack(jwks.transport_socket.typed_config, UpstreamTlsContext())
    assert tls.sni == "sso.example.test"
    assert tls.common_tls_context.validation_context.trusted_ca.filename == CA
    [san] = tls.common_tls_context.validation_context.match_typed_subject_alt_names
    assert (san.san_type, san.matcher.exact) == (san.DNS, "sso.example.test")
    assert tls.common_tls_context.tls_params.tls_minimum_protocol_version == tls.common_tls_context.tls_params.TLSv1_2


def test_jwks_port_defaults_to_443() -> None:
    auth = JwtAuth(
        issuer="https://sso.example.test", jwks_uri="https://sso.example.test/certs", audiences=("a",), ca_file=CA
    )
    address = cluster(parse(bootstrap(sidecar(auth))), JWKS_CLUSTER).load_assignment.endpoints[0]
    assert address.lb_endpoints[0].endpoint.address.socket_address.port_value == 443


def test_tokenreview_denies_when_authorino_fails() -> None:
    message = parse(bootstrap(sidecar(TOKEN_REVIEW)))
    manager = unpack(
        message.static_resources.listeners[0].filter_chains[0].filters[0].typed_config, HttpConnectionManager()
    )
    authz = unpack(next(f for f in manager.http_filters if f.name == EXT_AUTHZ_FILTER).typed_config, ExtAuthz())
    assert not authz.failure_mode_allow and authz.status_on_error.code == 503
    assert authz.grpc_service.envoy_grpc.cluster_name == AUTHZ_CLUSTER
    authorino = cluster(message, AUTHZ_CLUSTER)
    assert authorino.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value == 50051
    tls = unpack(authorino.transport_socket.typed_config, UpstreamTlsContext())
    assert tls.sni == TOKEN_REVIEW.host
    assert tls.common_tls_context.validation_context.trusted_ca.filename == TOKEN_REVIEW.ca_file


@pytest.mark.parametrize("shape", SHAPES)
def test_admin_binds_loopback_only(shape: str) -> None:
    assert parse(bootstrap(SHAPES[shape])).admin.address.socket_address.address == "127.0.0.1"


@pytest.mark.parametrize("shape", SHAPES)
def test_identity_headers_are_stripped_on_every_route(shape: str) -> None:
    config = SHAPES[shape]
    manager = hcm(bootstrap(config))
    names = [f["name"] for f in manager["http_filters"]]
    auth_filter = JWT_FILTER if isinstance(config.auth, JwtAuth) else EXT_AUTHZ_FILTER
    assert names == [STRIP_FILTER, auth_filter, IDENTITY_FILTER, "envoy.filters.http.router"]
    strip = manager["http_filters"][0]["typed_config"]["default_source_code"]["inline_string"]
    assert all(f'"{header}"' in strip for header in STRIPPED_HEADERS)
    [vhost] = manager["route_config"]["virtual_hosts"]
    assert "typed_per_filter_config" not in vhost
    for model, route in zip(config.routes, vhost["routes"], strict=True):
        overrides = route.get("typed_per_filter_config", {})
        assert STRIP_FILTER not in overrides
        # Authenticated routes keep auth and identity; the others disable exactly those two.
        assert set(overrides) == (set() if model.authenticated else {auth_filter, IDENTITY_FILTER})
        assert all(o["disabled"] is True for o in overrides.values())


def test_empty_audiences_are_refused() -> None:
    with pytest.raises(ValueError, match=r"JwtAuth\.audiences=\(\)"):
        JwtAuth(issuer=JWT.issuer, jwks_uri=JWT.jwks_uri, audiences=(), ca_file=CA)
    with pytest.raises(ValueError, match=r"JwtAuth\.audiences='aud'"):
        JwtAuth(issuer=JWT.issuer, jwks_uri=JWT.jwks_uri, audiences="aud", ca_file=CA)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Upstream(name="Koku_API", host="koku", port=8000), r"Upstream\.name='Koku_API'"),
        (lambda: Upstream(name="koku", host="koku api", port=8000), r"Upstream\.host='koku api'"),
        (lambda: Upstream(name="koku", host="koku", port=0), r"Upstream\.port=0"),
        (lambda: Route(upstream=APP, prefix="/", path="/status"), r"Route\.prefix='/'.*exactly one"),
        (lambda: Route(upstream=APP, prefix="api/"), r"Route\.prefix='api/'"),
        (lambda: Route(upstream=APP, prefix="/api/../admin"), r"Route\.prefix='/api/\.\./admin'"),
        (lambda: Route(upstream=APP, prefix="/", timeout=0), r"Route\.timeout=0"),
        (lambda: Tls(ca_file="ca.crt"), r"Tls\.ca_file='ca\.crt'"),
        (lambda: IdentityClaims(org_id=()), r"IdentityClaims\.org_id=\(\)"),
        (lambda: IdentityClaims(username=("a b",)), r"IdentityClaims\.username='a b'"),
        (lambda: IdentityClaims(org_admin_role="admin"), r"IdentityClaims\.org_admin_role='admin'"),
        (
            lambda: JwtAuth(issuer="x", jwks_uri="http://sso/certs", audiences=("a",), ca_file=CA),
            r"JwtAuth\.jwks_uri='http://sso/certs'",
        ),
        (
            lambda: TokenReviewAuth(host="authorino", ca_file=CA, org_id="1 OR 1=1"),
            r"TokenReviewAuth\.org_id='1 OR 1=1'",
        ),
        (lambda: EnvoyConfig(routes=(), auth=JWT), r"EnvoyConfig\.routes=\(\)"),
        (
            lambda: EnvoyConfig(routes=(Route(prefix="/", upstream=APP),), auth=JWT, admin_port=9080),
            r"EnvoyConfig\.admin_port=9080",
        ),
        (
            lambda: EnvoyConfig(
                routes=(Route(prefix="/api/", upstream=APP), Route(path="/api/x", upstream=APP)), auth=JWT
            ),
            r"EnvoyConfig\.routes='/api/x'.*unreachable",
        ),
        (
            lambda: EnvoyConfig(
                routes=(
                    Route(prefix="/a/", upstream=APP),
                    Route(prefix="/b/", upstream=Upstream(name="app", host="x", port=1)),
                ),
                auth=JWT,
            ),
            r"EnvoyConfig\.routes=Upstream\(name='app'.*share this name",
        ),
    ],
)
def test_invalid_inputs_name_the_field_and_value(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_importable_without_node_or_the_values_model() -> None:
    code = "import sys, ros_constructs.edge.envoy; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert not [m for m in loaded if m.split(".")[0] in {"cdk8s", "constructs", "jsii", "pydantic"}]
    assert "ros_constructs.values" not in loaded


# --- The Lua, run under LuaJIT ------------------------------------------------------------------

# arg[1]: the strip filter's source; arg[2]: the identity filter's settings, a Lua file returning
# its CFG table; arg[3]: the identity filter's code, the package's identity.lua itself; arg[4]:
# the case, a Lua file returning {headers, metadata, authz_headers, authenticated}. The strip
# filter runs, then what ext_authz would add, then (on authenticated routes) the identity filter;
# prints the status and headers.
DRIVER = r"""
local function filter(path, cfg)
  local env = setmetatable({CFG = cfg}, {__index = _G})
  local chunk = assert(loadfile(path))
  setfenv(chunk, env)
  chunk()
  return env.envoy_on_request
end

local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local quad = ""
    for shift = 18, 0, -6 do
      local index = math.floor(n / 2 ^ shift) % 64
      quad = quad .. ALPHABET:sub(index + 1, index + 1)
    end
    if c == nil then quad = quad:sub(1, b and 3 or 2) .. (b and "=" or "==") end
    out[#out + 1] = quad
  end
  return table.concat(out)
end

local case = dofile(arg[4])
local headers, status = {}, ""
for k, v in pairs(case.headers) do headers[k] = v end
local header_map = {
  get = function(_, k) return headers[k] end,
  replace = function(_, k, v) headers[k] = v end,
  remove = function(_, k) headers[k] = nil end,
}
local metadata = {get = function(_, namespace) return case.metadata[namespace] end}
local handle = {
  headers = function() return header_map end,
  streamInfo = function() return {dynamicMetadata = function() return metadata end} end,
  base64Escape = function(_, s) return base64(s) end,
  respond = function(_, h) status = h[":status"] end,
  logWarn = function() end,
  logErr = function(_, message) io.stderr:write(message, "\n") end,
}
filter(arg[1])(handle)
for k, v in pairs(case.authz_headers) do headers[k] = v end
if case.authenticated then filter(arg[3], dofile(arg[2]))(handle) end
print("status " .. status)
for k, v in pairs(headers) do print("header " .. k .. " " .. v) end
"""


def lua(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(f"\\{b:03d}" for b in value.encode()) + '"'
    if isinstance(value, list):
        return "{" + ", ".join(lua(v) for v in value) + "}"
    return "{" + ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in value.items()) + "}"


IDENTITY_LUA = resources.files("ros_constructs.edge.envoy") / "identity.lua"


def lua_source(config: EnvoyConfig, name: str) -> str:
    [typed] = [f["typed_config"] for f in hcm(bootstrap(config))["http_filters"] if f["name"] == name]
    return str(typed["default_source_code"]["inline_string"])


def identity_settings(config: EnvoyConfig) -> str:
    """The identity filter in the bootstrap is ``local CFG = {...}`` then identity.lua as is: the CFG part."""
    code = IDENTITY_LUA.read_text(encoding="utf-8")
    settings, found, rest = lua_source(config, IDENTITY_FILTER).partition("\n" + code)
    assert found and not rest
    assert settings.startswith("local CFG = {\n") and settings.endswith("\n}\n")
    return settings


@pytest.mark.parametrize("shape", SHAPES)
def test_the_identity_filter_is_the_package_lua_after_its_settings(shape: str) -> None:
    identity_settings(SHAPES[shape])


def run_filters(
    tmp_path: Path,
    config: EnvoyConfig,
    *,
    claims: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    authz_headers: dict[str, str] | None = None,
    authenticated: bool = True,
) -> tuple[str, dict[str, str]]:
    """Run the generated Lua as Envoy would: (status from respond(), or "" when it passed; headers).

    The identity filter's code is loaded from the package's file (so LuaJIT's messages name its
    lines), its settings from the bootstrap.
    """
    strip = tmp_path / "strip.lua"
    strip.write_text(lua_source(config, STRIP_FILTER))
    settings = tmp_path / "settings.lua"
    settings.write_text(identity_settings(config) + "return CFG\n")
    case = {
        "headers": {"x-request-id": "r-1", **(headers or {})},
        "metadata": {} if claims is None else {JWT_FILTER: {JWT_PROVIDER: claims}},
        "authz_headers": authz_headers or {},
        "authenticated": authenticated,
    }
    (tmp_path / "case.lua").write_text(f"return {lua(case)}\n")
    (tmp_path / "driver.lua").write_text(DRIVER)
    with resources.as_file(IDENTITY_LUA) as code:
        result = subprocess.run(
            ["luajit", str(tmp_path / "driver.lua"), str(strip), str(settings), str(code), str(tmp_path / "case.lua")],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    out = dict(line.removeprefix("header ").split(" ", 1) for line in lines[1:])
    return lines[0].removeprefix("status ").strip(), out


def identity(out: dict[str, str]) -> Any:
    return json.loads(base64.b64decode(out["x-rh-identity"], validate=True))


def expected(org: str, account: str, user: dict[str, Any]) -> dict[str, Any]:
    return {
        "identity": {
            "type": "User",
            "org_id": org,
            "account_number": account,
            "internal": {"org_id": org},
            "user": {"is_active": True, "is_org_admin": False, **user},
        },
        "entitlements": {"cost_management": {"is_entitled": True}},
    }


FORGED = {"x-rh-identity": "eyJpZGVudGl0eSI6e319", "x-auth-username": "kube:admin", "x-auth-uid": "0"}
ALICE = {"org_id": "o-4711", "account_number": "a-42", "preferred_username": "alice", "email": "a@x.test", "sub": "s-1"}

needs_luajit = pytest.mark.skipif(shutil.which("luajit") is None, reason="luajit not installed: apt-get install luajit")


@needs_luajit
def test_lua_builds_the_identity_of_a_user(tmp_path: Path) -> None:
    status, out = run_filters(tmp_path, gateway(), claims=ALICE, headers=FORGED)
    assert status == ""
    assert identity(out) == expected("o-4711", "a-42", {"username": "alice", "email": "a@x.test", "user_id": "s-1"})
    assert "x-auth-username" not in out and "x-auth-uid" not in out


@needs_luajit
def test_lua_fallbacks_and_numeric_claims(tmp_path: Path) -> None:
    claims = IdentityClaims(org_id=("org_id", "tenant.org"), username=("preferred_username", "sub"))
    config = sidecar(JwtAuth(issuer=JWT.issuer, jwks_uri=JWT.jwks_uri, audiences=("a",), ca_file=CA, claims=claims))
    status, out = run_filters(tmp_path, config, claims={"tenant": {"org": 1234567}, "sub": "s-9", "org_id": ""})
    assert status == ""
    # No account_number claim: the org id; no email: "".
    assert identity(out) == expected("1234567", "1234567", {"username": "s-9", "email": "", "user_id": "s-9"})


@needs_luajit
@pytest.mark.parametrize(
    ("claims", "payload", "admin"),
    [
        (IdentityClaims(org_admin_claim="is_org_admin"), {"is_org_admin": True}, True),
        (IdentityClaims(org_admin_claim="is_org_admin"), {"is_org_admin": "true"}, False),
        (IdentityClaims(org_admin_claim="realm_access.roles", org_admin_role="org-admin"), {}, False),
        (
            IdentityClaims(org_admin_claim="realm_access.roles", org_admin_role="org-admin"),
            {"realm_access": {"roles": ["offline_access", "org-admin"]}},
            True,
        ),
        (
            IdentityClaims(org_admin_claim="realm_access.roles", org_admin_role="org-admin"),
            {"realm_access": {"roles": ["offline_access"]}},
            False,
        ),
        (IdentityClaims(), {"is_org_admin": True, "realm_access": {"roles": ["org-admin"]}}, False),
    ],
    ids=["bool-claim", "string-true-is-not-true", "no-roles", "role-in-list", "role-missing", "not-configured"],
)
def test_lua_org_admin(tmp_path: Path, claims: IdentityClaims, payload: dict[str, Any], admin: bool) -> None:
    config = sidecar(JwtAuth(issuer=JWT.issuer, jwks_uri=JWT.jwks_uri, audiences=("a",), ca_file=CA, claims=claims))
    status, out = run_filters(tmp_path, config, claims=ALICE | payload)
    assert status == ""
    assert identity(out)["identity"]["user"]["is_org_admin"] is admin


@needs_luajit
@pytest.mark.parametrize(
    "claims",
    [
        None,  # no verified token in the metadata
        {k: v for k, v in ALICE.items() if k != "org_id"},
        ALICE | {"org_id": ""},
        ALICE | {"org_id": "o-1;drop"},
        ALICE | {"org_id": ["o-1"]},
        ALICE | {"org_id": "o" * 129},
        ALICE | {"org_id": 1.5},
        ALICE | {"account_number": "a 1"},
        {k: v for k, v in ALICE.items() if k != "preferred_username"},
        ALICE | {"preferred_username": "al ice"},
        ALICE | {"preferred_username": "al\nice"},
        ALICE | {"email": 'a"b@x.test'},
    ],
    ids=[
        "no-token",
        "no-org-id",
        "empty-org-id",
        "bad-org-id",
        "list-org-id",
        "long-org-id",
        "fraction-org-id",
        "bad-account",
        "no-username",
        "space-username",
        "newline-username",
        "bad-email",
    ],
)
def test_lua_refuses_missing_or_invalid_claims(tmp_path: Path, claims: dict[str, Any] | None) -> None:
    status, out = run_filters(tmp_path, gateway(), claims=claims, headers=FORGED)
    assert status == "401"
    assert "x-rh-identity" not in out


@needs_luajit
def test_lua_escapes_quote_and_backslash(tmp_path: Path) -> None:
    name = 'o"brien\\x\\"}'
    status, out = run_filters(tmp_path, gateway(), claims=ALICE | {"preferred_username": name})
    assert status == ""
    assert identity(out)["identity"]["user"]["username"] == name


@needs_luajit
def test_lua_tokenreview_user_gets_the_configured_org(tmp_path: Path) -> None:
    authz = {"x-auth-username": "system:serviceaccount:cost:reader", "x-auth-uid": "u-7"}
    status, out = run_filters(tmp_path, sidecar(TOKEN_REVIEW), headers=FORGED, authz_headers=authz)
    assert status == ""
    user = {"username": "system:serviceaccount:cost:reader", "email": "", "user_id": "u-7"}
    assert identity(out) == expected("o-4711", "o-4711", user)
    assert "x-auth-username" not in out and "x-auth-uid" not in out
    tokenreview = TokenReviewAuth(host=TOKEN_REVIEW.host, ca_file=CA, org_id="o-99", account_number="a-99")
    status, out = run_filters(tmp_path, sidecar(tokenreview), authz_headers=authz)
    assert identity(out)["identity"]["org_id"] == "o-99"
    assert identity(out)["identity"]["account_number"] == "a-99"


@needs_luajit
def test_lua_tokenreview_without_a_reviewed_user_is_refused(tmp_path: Path) -> None:
    """A client's own x-auth-username is removed before ext_authz, so it never becomes the user."""
    status, out = run_filters(tmp_path, sidecar(TOKEN_REVIEW), headers=FORGED)
    assert status == "401"
    assert not set(STRIPPED_HEADERS) & set(out)


@needs_luajit
@pytest.mark.parametrize("shape", SHAPES)
def test_lua_unauthenticated_route_still_strips(tmp_path: Path, shape: str) -> None:
    status, out = run_filters(tmp_path, SHAPES[shape], headers=FORGED, authenticated=False)
    assert status == ""
    assert out == {"x-request-id": "r-1"}
