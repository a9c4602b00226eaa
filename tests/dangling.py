"""Dangling references: what the synthesized objects point at that a fresh cluster would lack.

:func:`dangling` applies every check in :data:`CHECKS` to one output (the objects, the NOTES.txt
text that tells the operator what to create first, and the release namespace) and returns one
human-readable problem per dangling reference, each naming the referring object, where in it the
reference sits, and the missing target.

A target counts as present when the output creates it, when an operator creates it from a custom
resource in the output (:data:`OPERATOR_MADE`), or, where a check says so, when NOTES.txt names it
as a prerequisite.

Pure Python: no cluster, no cdk8s; ``tests/test_dangling.py`` unit-tests each check and runs
:func:`dangling` over the values matrix and the snapshot profiles.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
Problems = list[str]


# --- objects an operator creates from a custom resource in the output ------------------------


@dataclass(frozen=True)
class Made:
    """An object an operator (or an OpenShift controller) creates from one in the output.

    ``keys``: the data keys of a Secret/ConfigMap (None: unknown, any key passes); ``ports``: a
    Service's ports; ``labels``: a Service's or a pod's labels (``kind="Pod"`` stands for the
    operator's pods, so selectors may match them).
    """

    kind: str
    namespace: str
    name: str
    keys: frozenset[str] | None = None
    ports: frozenset[int] = frozenset()
    labels: Mapping[str, str] = field(default_factory=dict)


STRIMZI_CA_KEYS = frozenset({"ca.crt", "ca.p12", "ca.password"})
STRIMZI_USER_KEYS = {
    "scram-sha-512": frozenset({"password", "sasl.jaas.config"}),
    "tls": frozenset({"ca.crt", "user.crt", "user.key", "user.p12", "user.password"}),
}
STRIMZI_REPLICATION_PORT = 9091
CNPG_PORT = 5432
CNPG_SECRET_KEYS = frozenset(
    {"username", "user", "password", "dbname", "host", "hostname", "port", "pgpass", "uri", "jdbc-uri"}
) | {"fqdn-uri", "fqdn-jdbc-uri"}
OBC_CONFIG_MAP_KEYS = frozenset({"BUCKET_HOST", "BUCKET_NAME", "BUCKET_PORT", "BUCKET_REGION", "BUCKET_SUBREGION"})
OBC_SECRET_KEYS = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
SERVING_CERT = "service.beta.openshift.io/serving-cert-secret-name"
INJECT_CABUNDLE = "service.beta.openshift.io/inject-cabundle"
INJECT_TRUSTED_CABUNDLE = "config.openshift.io/inject-trusted-cabundle"


def _strimzi_kafka(obj: Obj, ns: str) -> Iterator[Made]:
    """Strimzi ``Kafka``: the cluster CA Secrets, the bootstrap/brokers Services, the broker pods."""
    c = obj["metadata"]["name"]
    listeners = obj.get("spec", {}).get("kafka", {}).get("listeners", [])
    internal = frozenset(int(li.get("port", 0)) for li in listeners if li.get("type", "internal") == "internal")
    for secret in (f"{c}-cluster-ca-cert", f"{c}-clients-ca-cert"):
        yield Made("Secret", ns, secret, STRIMZI_CA_KEYS)
    labels = {"strimzi.io/cluster": c, "strimzi.io/kind": "Kafka", "strimzi.io/name": f"{c}-kafka"}
    for service in (f"{c}-kafka-bootstrap", f"{c}-kafka-brokers"):
        yield Made("Service", ns, service, ports=internal | {STRIMZI_REPLICATION_PORT}, labels=labels)
    for li in listeners:
        if li.get("type", "internal") != "internal":
            yield Made(
                "Service", ns, f"{c}-kafka-{li.get('name')}-bootstrap", ports=frozenset({int(li.get("port", 0))})
            )
    yield Made("Pod", ns, f"{c}-kafka", labels=labels)


def _strimzi_user(obj: Obj, ns: str) -> Iterator[Made]:
    """Strimzi ``KafkaUser``: a Secret of the same name (keys by authentication type)."""
    auth = obj.get("spec", {}).get("authentication", {}).get("type")
    yield Made("Secret", ns, obj["metadata"]["name"], STRIMZI_USER_KEYS.get(auth))


def _cnpg_cluster(obj: Obj, ns: str) -> Iterator[Made]:
    """CloudNativePG ``Cluster``: -rw/-ro/-r Services, the -app, -ca (and -superuser) Secrets, the pods."""
    c = obj["metadata"]["name"]
    labels = {"cnpg.io/cluster": c}
    for suffix in ("rw", "ro", "r"):
        yield Made("Service", ns, f"{c}-{suffix}", ports=frozenset({CNPG_PORT}), labels=labels)
    yield Made("Secret", ns, f"{c}-app", CNPG_SECRET_KEYS)
    yield Made("Secret", ns, f"{c}-ca", frozenset({"ca.crt", "ca.key"}))  # the self-signed server CA
    if obj.get("spec", {}).get("enableSuperuserAccess"):
        yield Made("Secret", ns, f"{c}-superuser", CNPG_SECRET_KEYS)
    yield Made("Pod", ns, c, labels={**labels, "cnpg.io/podRole": "instance"})


def _object_bucket_claim(obj: Obj, ns: str) -> Iterator[Made]:
    """``ObjectBucketClaim`` (ODF/NooBaa, Rook): a ConfigMap and a Secret of the same name."""
    name = obj["metadata"]["name"]
    yield Made("ConfigMap", ns, name, OBC_CONFIG_MAP_KEYS)
    yield Made("Secret", ns, name, OBC_SECRET_KEYS)


def _serving_cert(obj: Obj, ns: str) -> Iterator[Made]:
    """OpenShift service-ca: a Service annotated serving-cert-secret-name gets that TLS Secret."""
    secret = (obj["metadata"].get("annotations") or {}).get(SERVING_CERT)
    if secret:
        yield Made("Secret", ns, secret, frozenset({"tls.crt", "tls.key"}))


def _inject_cabundle(obj: Obj, ns: str) -> Iterator[Made]:
    """OpenShift service-ca: a ConfigMap annotated inject-cabundle gains the key service-ca.crt;
    the Cluster Network Operator gives one labelled inject-trusted-cabundle the key ca-bundle.crt."""
    if str((obj["metadata"].get("annotations") or {}).get(INJECT_CABUNDLE)).lower() == "true":
        yield Made("ConfigMap", ns, obj["metadata"]["name"], frozenset({"service-ca.crt"}))
    if str((obj["metadata"].get("labels") or {}).get(INJECT_TRUSTED_CABUNDLE)).lower() == "true":
        yield Made("ConfigMap", ns, obj["metadata"]["name"], frozenset({"ca-bundle.crt"}))


OPERATOR_MADE: dict[tuple[str, str], Callable[[Obj, str], Iterator[Made]]] = {
    # (API group, kind) of an object in the output -> what its operator creates from it.
    ("kafka.strimzi.io", "Kafka"): _strimzi_kafka,
    ("kafka.strimzi.io", "KafkaUser"): _strimzi_user,
    ("postgresql.cnpg.io", "Cluster"): _cnpg_cluster,
    ("objectbucket.io", "ObjectBucketClaim"): _object_bucket_claim,
    ("", "Service"): _serving_cert,
    ("", "ConfigMap"): _inject_cabundle,
}


def operator_made(objects: list[Obj], namespace: str) -> list[Made]:
    """Every object the operators in :data:`OPERATOR_MADE` create from ``objects``."""
    made: list[Made] = []
    for obj in objects:
        group = obj.get("apiVersion", "v1").rpartition("/")[0]
        make = OPERATOR_MADE.get((group, obj["kind"]))
        if make is not None:
            made.extend(make(obj, ns_of(obj, namespace)))
    return made


# --- the index every check reads --------------------------------------------------------------

CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PriorityClass",
        "StorageClass",
        "PersistentVolume",
        "IngressClass",
        "GatewayClass",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "APIService",
        "ClusterIssuer",
        "ClusterTriggerAuthentication",
        "SecurityContextConstraints",
    }
)
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job")


def ref(obj: Obj) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def ns_of(obj: Obj, namespace: str) -> str:
    """An object's namespace ("" if cluster-scoped); an unset one is where it gets applied."""
    if obj["kind"] in CLUSTER_SCOPED:
        return ""
    return str(obj["metadata"].get("namespace") or namespace)


def workloads(objects: Iterable[Obj]) -> Iterator[tuple[Obj, Obj]]:
    """(object, pod template) of every pod-owning object, and of bare Pods (their own template)."""
    for obj in objects:
        spec = obj.get("spec") or {}
        if obj["kind"] == "CronJob":
            yield obj, spec["jobTemplate"]["spec"]["template"]
        elif obj["kind"] in WORKLOAD_KINDS and "template" in spec:
            yield obj, spec["template"]
        elif obj["kind"] == "Pod":
            yield obj, obj


def containers(template: Obj) -> list[Obj]:
    spec = template.get("spec") or {}
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


@dataclass
class ServiceInfo:
    ports: set[int] = field(default_factory=set)
    port_names: set[str] = field(default_factory=set)
    target_ports: set[int | str] = field(default_factory=set)
    external: bool = False
    labels: dict[str, str] = field(default_factory=dict)


NOT_THERE = "is neither in the output nor named in NOTES.txt"
NOTES_DATA = re.compile(r"^- (Secret|ConfigMap) (\S+) \(", re.MULTILINE)
NOTES_NAMESPACE = re.compile(r"\bNamespace\s+([a-z0-9][-a-z0-9]*)\b")
NOTES_GATEWAY = re.compile(r"\bGateway\s+(?:([a-z0-9][-a-z0-9]*)/)?([a-z0-9][-a-z0-9.]*[a-z0-9])\b")


@dataclass
class Index:
    """The output with lookups: what exists, by (kind, namespace, name), after the operators ran."""

    objects: list[Obj]
    notes: str
    namespace: str
    present: set[tuple[str, str, str]] = field(default_factory=set)
    data_keys: dict[tuple[str, str, str], frozenset[str] | None] = field(default_factory=dict)
    services: dict[tuple[str, str], ServiceInfo] = field(default_factory=dict)
    pods: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    config_maps: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    noted: set[tuple[str, str]] = field(default_factory=set)
    noted_namespaces: set[str] = field(default_factory=set)
    noted_gateways: set[tuple[str | None, str]] = field(default_factory=set)

    def ns(self, obj: Obj) -> str:
        return ns_of(obj, self.namespace)


def _merge_keys(old: frozenset[str] | None, new: frozenset[str] | None, first: bool) -> frozenset[str] | None:
    if first:
        return new
    return None if old is None or new is None else old | new


def build_index(objects: list[Obj], notes: str, namespace: str) -> Index:
    idx = Index(objects, notes, namespace)
    for obj in objects:
        ns, name = idx.ns(obj), obj["metadata"]["name"]
        key = (obj["kind"], ns, name)
        if obj["kind"] in ("Secret", "ConfigMap"):
            keys = frozenset(k for f in ("data", "stringData", "binaryData") for k in obj.get(f) or {})
            idx.data_keys[key] = _merge_keys(idx.data_keys.get(key), keys, key not in idx.present)
        if obj["kind"] == "ConfigMap":
            idx.config_maps[(ns, name)] = {k: str(v) for k, v in (obj.get("data") or {}).items()}
        if obj["kind"] == "Service":
            spec = obj.get("spec") or {}
            info = idx.services.setdefault((ns, name), ServiceInfo())
            info.external = spec.get("type") == "ExternalName"
            info.labels = dict(obj["metadata"].get("labels") or {})
            for port in spec.get("ports") or []:
                info.ports.add(int(port["port"]))
                info.target_ports.add(port.get("targetPort", port["port"]))
                if port.get("name"):
                    info.port_names.add(port["name"])
        idx.present.add(key)
    for obj, template in workloads(objects):
        idx.pods.append((idx.ns(obj), dict((template.get("metadata") or {}).get("labels") or {})))
    for made in operator_made(objects, namespace):
        key = (made.kind, made.namespace, made.name)
        if made.kind in ("Secret", "ConfigMap"):
            idx.data_keys[key] = _merge_keys(idx.data_keys.get(key), made.keys, key not in idx.present)
        if made.kind == "Service":
            info = idx.services.setdefault((made.namespace, made.name), ServiceInfo())
            info.ports |= made.ports
            info.labels = {**made.labels, **info.labels}
        if made.kind == "Pod":
            idx.pods.append((made.namespace, dict(made.labels)))
        idx.present.add(key)
    idx.noted = {(kind, name) for kind, name in NOTES_DATA.findall(notes)}
    idx.noted_namespaces = set(NOTES_NAMESPACE.findall(notes))
    idx.noted_gateways = {(ns or None, name) for ns, name in NOTES_GATEWAY.findall(notes)}
    return idx


# --- check 1: in-cluster hosts name Services (with the port) in the output ---------------------

HOST_SETTING = re.compile(r"(_HOST|_HOSTNAME|_ENDPOINT|_URL|BOOTSTRAP_SERVERS|_BROKERS)$")
HOST_PORT_PAIR = re.compile(r"^(.*)_(HOST|HOSTNAME)$")
KEDA_HOST_KEYS = frozenset({"address", "addresses", "host", "hosts", "serveraddress", "bootstrapservers", "brokers"})
KEDA_HOST_KEYS |= frozenset({"brokerlist", "url", "endpoint"})
EXTERNAL_TLDS = frozenset(
    {"com", "io", "net", "org", "edu", "gov", "info", "biz", "co", "ai", "cloud", "internal", "example", "test"}
    | {"invalid", "local", "localdomain", "localhost", "lan", "corp", "home"}
)
_LABEL = r"[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?"
DNS_LABEL = re.compile(rf"^{_LABEL}$")
HOST_TOKEN = re.compile(
    rf"(?<![\w.$/@-])(?:(?P<scheme>[A-Za-z][-A-Za-z0-9+.]*)://(?:[^\s/@]+@)?)?"
    rf"(?P<host>{_LABEL}(?:\.{_LABEL})*)(?::(?P<port>\d{{1,5}}))?(?![\w-]|\.\w)"
)
HOST_PORT = re.compile(rf"^(?P<host>{_LABEL}(?:\.{_LABEL})*)(?::(?P<port>\d{{1,5}}))?$")
NGINX_UPSTREAM = re.compile(r"\bupstream\s+([-\w.]+)\s*\{")


def in_cluster(host: str, namespace: str, *, bare: bool) -> tuple[str, str] | None:
    """(Service, namespace) an in-cluster DNS name resolves to, or None (external, an IP, localhost).

    ``<svc>.<ns>.svc[.cluster.local]`` always count; ``<svc>.<release namespace>`` too; a lone
    ``<svc>`` or another ``<svc>.<ns>`` only when ``bare`` (a host setting's value, a URL's host).
    """
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    labels = host.split(".")
    if host in ("", "localhost") or not all(DNS_LABEL.match(label) for label in labels) or "amazonaws" in labels:
        return None
    if labels[2:] in (["svc"], ["svc", "cluster", "local"]):
        return labels[0], labels[1]
    if len(labels) == 2 and (labels[1] == namespace or (bare and labels[1] not in EXTERNAL_TLDS)):
        return labels[0], labels[1]
    if len(labels) == 1 and bare:
        return labels[0], namespace
    return None


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int | None
    bare: bool


def scan_text(text: str) -> list[Endpoint]:
    """Host-like tokens in free text (configs, JSON, any value); a URL's host counts when bare.

    nginx ``upstream NAME { ... }`` names are skipped where a URL uses them (``proxy_pass http://NAME``).
    """
    upstreams = set(NGINX_UPSTREAM.findall(text))
    found = []
    for match in HOST_TOKEN.finditer(text):
        url = bool(match["scheme"])
        if url and match["host"] in upstreams:
            continue
        found.append(Endpoint(match["host"], int(match["port"]) if match["port"] else None, url))
    return found


def endpoints(value: str, host_setting: bool) -> list[Endpoint]:
    """The hosts a value names: each comma-separated ``host[:port]`` of a host setting (else its
    URLs), or the host-like tokens of any other text."""
    if not host_setting:
        return scan_text(value)
    found = []
    for item in (i.strip() for i in value.split(",")):
        match = HOST_PORT.match(item)
        if match:
            found.append(Endpoint(match["host"], int(match["port"]) if match["port"] else None, True))
        elif item:
            found += scan_text(item)
    return found


def _resolve(idx: Index, where: str, endpoint: Endpoint, port: int | None, port_from: str) -> Problems:
    target = in_cluster(endpoint.host, idx.namespace, bare=endpoint.bare)
    if target is None:
        return []
    svc, ns = target
    info = idx.services.get((ns, svc))
    if info is None and _noted_host(idx, endpoint.host, port):
        return []
    if info is None:
        outside = "" if ns == idx.namespace or ("Namespace", "", ns) in idx.present else f" (nor namespace {ns})"
        return [f"{where}: host {endpoint.host!r}: Service {svc} in namespace {ns} is not in the output{outside}"]
    if port is not None and not info.external and port not in info.ports:
        return [
            f"{where}: host {endpoint.host!r}: Service {svc} in namespace {ns} has no port {port}{port_from}"
            f" (ports: {sorted(info.ports)})"
        ]
    return []


def _noted_host(idx: Index, host: str, port: int | None) -> bool:
    """NOTES.txt names the server (host and port) as a prerequisite outside the output."""
    prerequisites = idx.notes.split("\n\n", 2)[1] if idx.notes.count("\n\n") >= 2 else ""
    return f"{host}:{port}" in prerequisites if port is not None else host in prerequisites


@dataclass(frozen=True)
class Setting:
    where: str
    value: str
    literal: bool


def _port_sibling(name: str, settings: Mapping[str, Setting]) -> Setting | None:
    """``X_PORT`` for ``X_HOST``/``X_HOSTNAME``; ``port`` for ``host`` (KEDA trigger metadata)."""
    pair = HOST_PORT_PAIR.match(name)
    if pair:
        return settings.get(f"{pair[1]}_PORT")
    return settings.get("port") if name.lower() == "host" else None


def _check_settings(idx: Index, settings: Mapping[str, Setting], is_host: Callable[[str], bool]) -> Problems:
    """Hosts in literal settings; a ``X_HOST``'s port may come from its sibling ``X_PORT``."""
    problems = []
    for name, setting in settings.items():
        if not setting.literal:
            continue
        sibling = _port_sibling(name, settings)
        for endpoint in endpoints(setting.value, is_host(name)):
            port, port_from = endpoint.port, ""
            if port is None and sibling is not None and sibling.value.strip().isdigit():
                port, port_from = int(sibling.value), f" (from {sibling.where})"
            problems += _resolve(idx, setting.where, endpoint, port, port_from)
    return problems


def _container_settings(idx: Index, obj: Obj, container: Obj) -> dict[str, Setting]:
    """A container's env as Kubernetes assembles it (envFrom, then env); literal unless from a key ref."""
    ns, settings = idx.ns(obj), {}
    for source in container.get("envFrom", []):
        data = idx.config_maps.get((ns, (source.get("configMapRef") or {}).get("name", "")), {})
        for key, value in data.items():
            settings[source.get("prefix", "") + key] = Setting(
                f"ConfigMap/{source['configMapRef']['name']} data.{key}", value, True
            )
    for env in container.get("env", []):
        name, where = env["name"], f"{ref(obj)} container {container['name']} env {env['name']}"
        cm_ref = (env.get("valueFrom") or {}).get("configMapKeyRef")
        if "valueFrom" not in env:
            settings[name] = Setting(where, str(env.get("value", "")), True)
        elif cm_ref and cm_ref.get("key") in idx.config_maps.get((ns, cm_ref["name"]), {}):
            settings[name] = Setting(where, idx.config_maps[(ns, cm_ref["name"])][cm_ref["key"]], False)
        else:
            settings.pop(name, None)
    return settings


def _mounted_config_maps(idx: Index, obj: Obj, template: Obj) -> Iterator[tuple[str, str, str]]:
    """(key, where, text) of each mounted key of every ConfigMap a pod mounts that is in the output."""
    for volume in (template.get("spec") or {}).get("volumes", []):
        sources = [volume, *(volume.get("projected") or {}).get("sources", [])]
        for source in (s["configMap"] for s in sources if "configMap" in s):
            data = idx.config_maps.get((idx.ns(obj), source["name"]), {})
            keys = [item["key"] for item in source.get("items") or []] or list(data)
            yield from ((k, f"ConfigMap/{source['name']} data.{k}", data[k]) for k in keys if k in data)


def hosts(idx: Index) -> Problems:
    """Every in-cluster host a pod is told (env, envFrom/mounted ConfigMaps, KEDA triggers) is a Service
    in the output, in its namespace, exposing the port given with it."""
    problems = []
    for obj, template in workloads(idx.objects):
        for container in containers(template):
            settings = _container_settings(idx, obj, container)
            problems += _check_settings(idx, settings, lambda name: bool(HOST_SETTING.search(name)))
        mounted = {key: Setting(where, text, True) for key, where, text in _mounted_config_maps(idx, obj, template)}
        problems += _check_settings(idx, mounted, lambda name: bool(HOST_SETTING.search(name)))
    for obj in idx.objects:
        if obj["kind"] in ("ScaledObject", "ScaledJob"):
            for i, trigger in enumerate((obj.get("spec") or {}).get("triggers", [])):
                where = f"{ref(obj)} spec.triggers[{i}].metadata"
                settings = {
                    k: Setting(f"{where}.{k}", str(v), True) for k, v in (trigger.get("metadata") or {}).items()
                }
                problems += _check_settings(idx, settings, lambda name: name.lower() in KEDA_HOST_KEYS)
    return problems


# --- checks 2 and 3: Secrets/ConfigMaps (and their keys) that pods read ------------------------


@dataclass(frozen=True)
class DataRef:
    who: str
    kind: str
    namespace: str
    name: str
    key: str | None
    optional: bool
    item: bool = False
    """A volume's ``items[]`` entry: only its key is checked (the volume itself is its own reference)."""


def _volume_refs(who: str, ns: str, volume: Obj) -> Iterator[DataRef]:
    sources = [volume, *(volume.get("projected") or {}).get("sources", [])]
    for source in sources:
        for kind, field_name in (("Secret", "secret"), ("ConfigMap", "configMap")):
            if field_name not in source:
                continue
            spec = source[field_name]
            name = spec.get("secretName") or spec.get("name") or ""
            optional = bool(spec.get("optional"))
            where = f"{who} volume {volume['name']}"
            yield DataRef(where, kind, ns, name, None, optional)
            for item in spec.get("items") or []:
                yield DataRef(f"{where} items[{item['key']}]", kind, ns, name, item["key"], optional, item=True)


def _container_refs(who: str, ns: str, container: Obj) -> Iterator[DataRef]:
    who = f"{who} container {container['name']}"
    for env in container.get("env", []):
        source = env.get("valueFrom") or {}
        for kind, field_name in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
            if field_name in source:
                s = source[field_name]
                yield DataRef(f"{who} env {env['name']}", kind, ns, s["name"], s["key"], bool(s.get("optional")))
    for i, env_from in enumerate(container.get("envFrom", [])):
        for kind, field_name in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
            if field_name in env_from:
                s = env_from[field_name]
                yield DataRef(f"{who} envFrom[{i}]", kind, ns, s["name"], None, bool(s.get("optional")))


def data_refs(idx: Index) -> Iterator[DataRef]:
    """Every Secret/ConfigMap (and key) a pod reads, and every Secret a KEDA TriggerAuthentication reads."""
    for obj, template in workloads(idx.objects):
        ns = idx.ns(obj)
        for volume in (template.get("spec") or {}).get("volumes", []):
            yield from _volume_refs(ref(obj), ns, volume)
        for container in containers(template):
            yield from _container_refs(ref(obj), ns, container)
    for obj in idx.objects:
        if obj["kind"] == "TriggerAuthentication":
            for i, target in enumerate((obj.get("spec") or {}).get("secretTargetRef", [])):
                where = f"{ref(obj)} spec.secretTargetRef[{i}]"
                yield DataRef(where, "Secret", idx.ns(obj), target["name"], target.get("key"), False)


def references(idx: Index) -> Problems:
    """Every non-optional Secret/ConfigMap read is in the output, operator-made, or named in NOTES.txt."""
    problems = []
    for r in data_refs(idx):
        if r.optional or r.item or (r.kind, r.namespace, r.name) in idx.present:
            continue
        if r.namespace == idx.namespace and (r.kind, r.name) in idx.noted:
            continue
        problems.append(f"{r.who}: {r.kind} {r.name} {NOT_THERE}")
    return problems


def keys(idx: Index) -> Problems:
    """Every key read from a Secret/ConfigMap in the output (or operator-made with known keys) exists."""
    problems = []
    for r in data_refs(idx):
        known = idx.data_keys.get((r.kind, r.namespace, r.name))
        if r.key is None or r.optional or known is None:
            continue
        if r.key not in known:
            problems.append(f"{r.who}: {r.kind} {r.name} has no key {r.key!r} (keys: {sorted(known)})")
    return problems


# --- check 4: selectors select something ------------------------------------------------------


def matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions) matches a label set."""
    if not all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }.get(op, False)
        if not ok:
            return False
    return True


def _monitor_namespaces(idx: Index, obj: Obj) -> set[str] | None:
    """The namespaces a ServiceMonitor/PodMonitor looks in (None: any)."""
    selector = (obj.get("spec") or {}).get("namespaceSelector") or {}
    if selector.get("any"):
        return None
    return set(selector.get("matchNames") or [idx.ns(obj)])


def _selector(idx: Index, obj: Obj) -> tuple[Obj, str, str, set[str] | None] | None:
    """(selector, where it sits, what it selects, the namespaces it looks in, None: any) if it has one."""
    ns, spec, kind = idx.ns(obj), obj.get("spec") or {}, obj["kind"]
    if kind == "Service" and spec.get("selector"):
        return {"matchLabels": spec["selector"]}, "spec.selector", "pod template", {ns}
    if kind == "PodDisruptionBudget":
        return spec.get("selector") or {}, "spec.selector", "pod template", {ns}
    if kind == "NetworkPolicy" and any((spec.get("podSelector") or {}).values()):
        return spec["podSelector"], "spec.podSelector", "pod template", {ns}
    if kind in ("ServiceMonitor", "PodMonitor"):
        selects = "Service" if kind == "ServiceMonitor" else "pod template"
        return spec.get("selector") or {}, "spec.selector", selects, _monitor_namespaces(idx, obj)
    return None


def selectors(idx: Index) -> Problems:
    """Service/PDB/NetworkPolicy/PodMonitor selectors match a pod template, ServiceMonitors a Service."""
    problems = []
    services = [(ns, info.labels) for (ns, _), info in idx.services.items()]
    for obj in idx.objects:
        found = _selector(idx, obj)
        if found is None:
            continue
        selector, path, selects, scope = found
        candidates = services if selects == "Service" else idx.pods
        if not any((scope is None or ns in scope) and matches(selector, labels) for ns, labels in candidates):
            problems.append(f"{ref(obj)}: {path} {selector} selects no {selects} in the output")
    return problems


# --- check 5: scale targets, routes, backends and gateways exist -------------------------------


def _service_port(idx: Index, who: str, ns: str, name: str, port: Any, path: str) -> Problems:
    info = idx.services.get((ns, name))
    if info is None and _noted_host(idx, name, port if isinstance(port, int) else None):
        return []
    if info is None:
        return [f"{who}: {path} Service {name} (namespace {ns}) is not in the output"]
    if port is None or info.external or port in info.ports | info.port_names | info.target_ports:
        return []
    return [f"{who}: {path} Service {name} has no port {port!r} (ports: {sorted(info.ports)})"]


def _scaler_targets(idx: Index, obj: Obj) -> Problems:
    ns, spec, problems = idx.ns(obj), obj.get("spec") or {}, []
    target = spec.get("scaleTargetRef") or {}
    kind = target.get("kind", "Deployment")
    if (kind, ns, target.get("name")) not in idx.present:
        problems.append(f"{ref(obj)}: spec.scaleTargetRef {kind} {target.get('name')} is not in the output")
    for i, trigger in enumerate(spec.get("triggers") or []):
        auth = trigger.get("authenticationRef")
        if auth:
            auth_kind = auth.get("kind", "TriggerAuthentication")
            key = (auth_kind, "" if auth_kind == "ClusterTriggerAuthentication" else ns, auth["name"])
            if key not in idx.present:
                problems.append(
                    f"{ref(obj)}: spec.triggers[{i}].authenticationRef {auth_kind} {auth['name']} is not in the output"
                )
    return problems


def _route_targets(idx: Index, obj: Obj) -> Problems:
    ns, spec, problems = idx.ns(obj), obj.get("spec") or {}, []
    port = (spec.get("port") or {}).get("targetPort")
    for path, to in [
        ("spec.to", spec.get("to") or {}),
        *((f"spec.alternateBackends[{i}]", b) for i, b in enumerate(spec.get("alternateBackends") or [])),
    ]:
        problems += _service_port(idx, ref(obj), ns, to.get("name", ""), port if path == "spec.to" else None, path)
    return problems


def _ingress_targets(idx: Index, obj: Obj) -> Problems:
    ns, spec = idx.ns(obj), obj.get("spec") or {}
    backends = [("spec.defaultBackend", spec.get("defaultBackend"))]
    for i, rule in enumerate(spec.get("rules") or []):
        for j, p in enumerate((rule.get("http") or {}).get("paths") or []):
            backends.append((f"spec.rules[{i}].http.paths[{j}].backend", p.get("backend")))
    problems = []
    for path, backend in backends:
        service = (backend or {}).get("service")
        if service:
            port = service.get("port") or {}
            problems += _service_port(idx, ref(obj), ns, service["name"], port.get("number", port.get("name")), path)
    return problems


def _gateway_noted(idx: Index, ns: str, name: str) -> bool:
    return (ns, name) in idx.noted_gateways or (ns == idx.namespace and (None, name) in idx.noted_gateways)


def _http_route_targets(idx: Index, obj: Obj) -> Problems:
    ns, spec, problems = idx.ns(obj), obj.get("spec") or {}, []
    for i, parent in enumerate(spec.get("parentRefs") or []):
        kind, pns = parent.get("kind", "Gateway"), parent.get("namespace", ns)
        if (
            kind == "Gateway"
            and ("Gateway", pns, parent["name"]) not in idx.present
            and not _gateway_noted(idx, pns, parent["name"])
        ):
            problems.append(f"{ref(obj)}: spec.parentRefs[{i}] Gateway {parent['name']} (namespace {pns}) {NOT_THERE}")
    for i, rule in enumerate(spec.get("rules") or []):
        for j, backend in enumerate(rule.get("backendRefs") or []):
            if backend.get("kind", "Service") == "Service" and backend.get("group", "") == "":
                path = f"spec.rules[{i}].backendRefs[{j}]"
                problems += _service_port(
                    idx, ref(obj), backend.get("namespace", ns), backend["name"], backend.get("port"), path
                )
    return problems


TARGETS: dict[str, Callable[[Index, Obj], Problems]] = {
    "HorizontalPodAutoscaler": _scaler_targets,
    "ScaledObject": _scaler_targets,
    "Route": _route_targets,
    "Ingress": _ingress_targets,
    "HTTPRoute": _http_route_targets,
    "GRPCRoute": _http_route_targets,
}


def targets(idx: Index) -> Problems:
    """HPA/ScaledObject targets and trigger auth, Route/Ingress/HTTPRoute backends and Gateways exist."""
    return [p for obj in idx.objects if obj["kind"] in TARGETS for p in TARGETS[obj["kind"]](idx, obj)]


# --- check 6: ServiceAccounts and Roles ------------------------------------------------------

BUILTIN_CLUSTER_ROLES = frozenset({"cluster-admin", "admin", "edit", "view"})


def service_accounts(idx: Index) -> Problems:
    """Pods' ServiceAccounts, RoleBinding subjects and roleRefs exist (or are `default`/built in)."""
    problems = []
    for obj, template in workloads(idx.objects):
        pod = template.get("spec") or {}
        account = pod.get("serviceAccountName") or pod.get("serviceAccount")
        if account and account != "default" and ("ServiceAccount", idx.ns(obj), account) not in idx.present:
            problems.append(f"{ref(obj)}: serviceAccountName {account} is not in the output")
    for obj in idx.objects:
        if obj["kind"] not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        ns = idx.ns(obj) or idx.namespace
        for i, subject in enumerate(obj.get("subjects") or []):
            sns = subject.get("namespace", ns)
            if (
                subject.get("kind") == "ServiceAccount"
                and subject["name"] != "default"
                and ("ServiceAccount", sns, subject["name"]) not in idx.present
            ):
                problems.append(
                    f"{ref(obj)}: subjects[{i}] ServiceAccount {subject['name']} (namespace {sns}) is not in the output"
                )
        role = obj.get("roleRef") or {}
        rns = "" if role.get("kind") == "ClusterRole" else idx.ns(obj)
        builtin = role.get("kind") == "ClusterRole" and (
            role.get("name", "").startswith("system:") or role.get("name") in BUILTIN_CLUSTER_ROLES
        )
        if not builtin and (role.get("kind"), rns, role.get("name")) not in idx.present:
            problems.append(f"{ref(obj)}: roleRef {role.get('kind')} {role.get('name')} is not in the output")
    return problems


# --- check 7: namespaces ----------------------------------------------------------------------


def namespaces(idx: Index) -> Problems:
    """Every namespace objects go into is created by the output or named in NOTES.txt (`Namespace X`)."""
    users: dict[str, list[str]] = {}
    for obj in idx.objects:
        ns = idx.ns(obj)
        if ns:
            users.setdefault(ns, []).append(ref(obj))
    problems = []
    for ns, refs in users.items():
        if ("Namespace", "", ns) not in idx.present and ns not in idx.noted_namespaces:
            others = f" and {len(refs) - 1} other objects" if len(refs) > 1 else ""
            problems.append(f"{refs[0]}{others}: metadata.namespace: Namespace {ns} {NOT_THERE}")
    return problems


CHECKS: list[Callable[[Index], Problems]] = [
    hosts,
    references,
    keys,
    selectors,
    targets,
    service_accounts,
    namespaces,
]


def dangling(objects: list[dict[str, Any]], notes: str, namespace: str) -> list[str]:
    """One problem per reference in ``objects`` that would dangle on a fresh cluster (duplicates merged)."""
    idx = build_index(objects, notes, namespace)
    return list(dict.fromkeys(p for check in CHECKS for p in check(idx)))
