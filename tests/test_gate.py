"""The reliability and security gate: invariants on every entry of the values matrix.

The matrix is the defaults plus every values file in ``tests/matrix/`` (``minimal``,
``production``), each on kubernetes and openshift. ``scripts/checkov.sh`` scans the same
entries with checkov; this module checks what no off-the-shelf scanner checks.

Each invariant is a plain function ``(values, objects) -> problems`` collected in
:data:`INVARIANTS`, so ``tests/test_fuzz.py`` applies exactly these checks to generated values.
An empty list means the invariant holds; each problem names the object it is about.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import notes_of, pod_templates, render
from dangling import operator_made
from policies import (
    CLUSTER_SCOPED,
    custom_resource_errors,
    is_builtin,
    pss_restricted_violations,
    schema_errors,
    tool_errors,
    tool_knows,
)

from ros_constructs.values import Image, Images, Values, ValuesError, cpu_cores, load, memory_bytes, parse

Obj = dict[str, Any]
Problems = list[str]

MATRIX_DIR = Path(__file__).parent / "matrix"
PLATFORMS = ("kubernetes", "openshift")
MATRIX_FILES = ["default", *sorted(p.stem for p in MATRIX_DIR.glob("*.yaml"))]
MATRIX = [f"{name}-{platform}" for name in MATRIX_FILES for platform in PLATFORMS]
"""Entry ids, e.g. ``production-openshift``."""


def matrix_values(entry: str) -> Values:
    name, _, platform = entry.rpartition("-")
    files = [] if name == "default" else [MATRIX_DIR / f"{name}.yaml"]
    return load(files, [f"platform={platform}"])


@functools.cache
def matrix_objects(entry: str) -> list[Obj]:
    return [obj for docs in render(matrix_values(entry)).values() for obj in docs]


# --- helpers ---------------------------------------------------------------------------------


def ref(obj: Obj) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def containers(template: Obj) -> list[Obj]:
    spec = template["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def workloads(docs: list[Obj]) -> Iterator[tuple[Obj, Obj]]:
    """(object, pod template) of every pod-owning object (Deployment, StatefulSet, Job, CronJob)."""
    for obj in docs:
        for _, template in pod_templates([obj]):
            yield obj, template


def selects(selector: dict[str, str] | None, labels: dict[str, str] | None) -> bool:
    """A non-empty equality selector matches a label set."""
    return bool(selector) and (selector or {}).items() <= (labels or {}).items()


def autoscaler_targets(docs: list[Obj]) -> dict[str, list[str]]:
    """Deployment/StatefulSet name -> the HPAs and KEDA ScaledObjects that scale it."""
    targets: dict[str, list[str]] = {}
    for obj in docs:
        if obj["kind"] in ("HorizontalPodAutoscaler", "ScaledObject"):
            targets.setdefault(obj["spec"]["scaleTargetRef"]["name"], []).append(ref(obj))
    return targets


# --- invariants ------------------------------------------------------------------------------


def pss_restricted(values: Values, docs: list[Obj]) -> Problems:
    """Every pod meets Pod Security Standards "restricted" (the admission controller's checks)."""
    return [f"{ref(obj)}: {v}" for obj, t in workloads(docs) for v in pss_restricted_violations(t)]


MIN_KUBERNETES_UID = 10000
"""checkov CKV_K8S_40's threshold (skipped in .checkov.yaml because of OpenShift; enforced here)."""


def platform_ids(values: Values, docs: list[Obj]) -> Problems:
    """OpenShift: no fixed UID/GID/fsGroup (restricted-v2 assigns them). Kubernetes: a fixed high UID."""
    problems = []
    for obj, template in workloads(docs):
        pod_sc = template["spec"].get("securityContext", {})
        scs = [("pod", pod_sc), *((c["name"], c.get("securityContext", {})) for c in containers(template))]
        fixed = [f"{where}.{k}" for where, sc in scs for k in ("runAsUser", "runAsGroup", "fsGroup") if k in sc]
        fixed += ["pod.supplementalGroups"] if pod_sc.get("supplementalGroups") else []
        if values.platform == "openshift" and fixed:
            problems.append(f"{ref(obj)}: fixed ids on OpenShift: {fixed}")
        if values.platform == "kubernetes" and not (pod_sc.get("runAsUser") or 0) >= MIN_KUBERNETES_UID:
            problems.append(f"{ref(obj)}: no fixed runAsUser >= {MIN_KUBERNETES_UID} on Kubernetes")
    return problems


def resources(values: Values, docs: list[Obj]) -> Problems:
    """cpu and memory requests and a memory limit on every container; limits not below requests."""
    problems = []
    for obj, template in workloads(docs):
        for c in containers(template):
            where = f"{ref(obj)} container {c['name']}"
            requests = c.get("resources", {}).get("requests", {})
            limits = c.get("resources", {}).get("limits", {})
            if not {"cpu", "memory"} <= set(requests):
                problems.append(f"{where}: requests {sorted(requests)} lack cpu or memory")
            if "memory" not in limits:
                problems.append(f"{where}: no memory limit")
                continue
            if "memory" in requests and memory_bytes(str(limits["memory"])) < memory_bytes(str(requests["memory"])):
                problems.append(f"{where}: memory limit below the request")
            if (
                "cpu" in limits
                and "cpu" in requests
                and cpu_cores(str(limits["cpu"])) < cpu_cores(str(requests["cpu"]))
            ):
                problems.append(f"{where}: cpu limit below the request")
    return problems


def _budget_allows_disruption(spec: Obj) -> bool:
    value = spec.get("maxUnavailable")
    if "minAvailable" in spec or value is None:
        return False
    if isinstance(value, str):
        return value.endswith("%") and Decimal(value[:-1]) > 0
    return bool(value >= 1)


def disruption_budgets(values: Values, docs: list[Obj]) -> Problems:
    """Every Deployment/StatefulSet that may run several pods has one PDB with maxUnavailable >= 1."""
    problems = []
    scaled = autoscaler_targets(docs)
    budgets = [o for o in docs if o["kind"] == "PodDisruptionBudget"]
    templates = [t for _, t in workloads(docs)]
    for budget in budgets:
        selector = budget["spec"].get("selector", {}).get("matchLabels")
        if not any(selects(selector, t["metadata"].get("labels")) for t in templates):
            problems.append(f"{ref(budget)} selects no pod template")
    for obj, template in workloads(docs):
        if obj["kind"] not in ("Deployment", "StatefulSet"):
            continue
        name = obj["metadata"]["name"]
        covering = [
            b
            for b in budgets
            if selects(b["spec"].get("selector", {}).get("matchLabels"), template["metadata"]["labels"])
        ]
        several = name in scaled or obj["spec"].get("replicas", 1) > 1
        if several and len(covering) != 1:
            problems.append(f"{ref(obj)}: may run several pods but {len(covering)} PDBs select it")
        for budget in covering:
            if not _budget_allows_disruption(budget["spec"]):
                problems.append(f"{ref(budget)}: needs maxUnavailable >= 1 (and no minAvailable)")
    return problems


def autoscalers(values: Values, docs: list[Obj]) -> Problems:
    """Each HPA/ScaledObject targets an existing Deployment that leaves replicas to it; one per target."""
    problems = []
    controllers = {o["metadata"]["name"]: o for o in docs if o["kind"] in ("Deployment", "StatefulSet")}
    for target, scalers in autoscaler_targets(docs).items():
        if len(scalers) > 1:
            problems.append(f"{target}: scaled by {scalers}")
        if target not in controllers:
            problems.append(f"{scalers}: target {target} is not in the output")
        elif "replicas" in controllers[target]["spec"]:
            problems.append(f"{ref(controllers[target])}: sets replicas although {scalers} scale it")
    return problems


def singletons(values: Values, docs: list[Obj]) -> Problems:
    """Celery beat is one Deployment with at most one replica and Recreate; Recreate means a singleton."""
    problems = []
    scaled = autoscaler_targets(docs)
    budgets = [o for o in docs if o["kind"] == "PodDisruptionBudget"]
    beats = [
        o
        for o in docs
        if o["kind"] == "Deployment" and o["metadata"]["labels"].get("app.kubernetes.io/component") == "celery-beat"
    ]
    wanted = values.cost_management.enabled and values.cost_management.beat.enabled
    if len(beats) != int(wanted):
        problems.append(f"{len(beats)} Celery beat Deployments where {int(wanted)} are wanted")
    for beat in beats:
        if beat["spec"]["strategy"]["type"] != "Recreate":
            problems.append(f"{ref(beat)}: strategy is not Recreate")
    recreate = [
        o for o in docs if o["kind"] == "Deployment" and o["spec"].get("strategy", {}).get("type") == "Recreate"
    ]
    for obj in recreate:
        name, labels = obj["metadata"]["name"], obj["spec"]["template"]["metadata"]["labels"]
        if obj["spec"].get("replicas", 1) > 1 or "replicas" not in obj["spec"]:
            problems.append(f"{ref(obj)}: a Recreate singleton with replicas {obj['spec'].get('replicas')}")
        if name in scaled:
            problems.append(f"{ref(obj)}: a singleton scaled by {scaled[name]}")
        if any(selects(b["spec"]["selector"].get("matchLabels"), labels) for b in budgets):
            problems.append(f"{ref(obj)}: a singleton under a PDB")
    return problems


def services_and_selectors(values: Values, docs: list[Obj]) -> Problems:
    """Every Service selects pods with its target ports and a readiness probe; selectors match templates."""
    problems = []
    pods = [(o, t) for o, t in workloads(docs) if o["kind"] in ("Deployment", "StatefulSet")]
    for obj, template in workloads(docs):
        selector = obj["spec"].get("selector", {}).get("matchLabels")
        if obj["kind"] in ("Deployment", "StatefulSet") and not selects(selector, template["metadata"]["labels"]):
            problems.append(f"{ref(obj)}: selector does not match its pod template")
    for service in (o for o in docs if o["kind"] == "Service"):
        matching = [t for _, t in pods if selects(service["spec"].get("selector"), t["metadata"]["labels"])]
        if not matching:
            problems.append(f"{ref(service)}: selects no pod template")
            continue
        serving = [c for t in matching for c in t["spec"]["containers"]]
        for port in service["spec"].get("ports", []):
            target = port.get("targetPort", port["port"])
            owners = [c for c in serving if target in {p.get(k) for p in c.get("ports", []) for k in PORT_KEYS}]
            if not owners:
                problems.append(f"{ref(service)}: targetPort {target!r} is no port of the selected containers")
            for c in owners:
                if "readinessProbe" not in c:
                    problems.append(f"{ref(service)}: container {c['name']} serves {target!r} without readiness")
    return problems


PORT_KEYS = ("name", "containerPort")


def probe_ports(values: Values, docs: list[Obj]) -> Problems:
    """Every HTTP/TCP/gRPC probe targets a named port of its own container."""
    problems = []
    for obj, template in workloads(docs):
        for c in containers(template):
            names = {p.get("name") for p in c.get("ports", [])}
            for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
                probe = c.get(kind) or {}
                for action in ("httpGet", "tcpSocket", "grpc"):
                    if action in probe and probe[action]["port"] not in names:
                        problems.append(f"{ref(obj)} {c['name']}.{kind}: port {probe[action]['port']!r} is unnamed")
    return problems


def _references(docs: list[Obj]) -> Iterator[tuple[str, str, str | None, str]]:
    """(kind, name, key or None, who) of every Secret, ConfigMap and ServiceAccount reference."""
    for obj, template in workloads(docs):
        spec = template["spec"]
        if spec.get("serviceAccountName"):
            yield "ServiceAccount", spec["serviceAccountName"], None, ref(obj)
        for pull in spec.get("imagePullSecrets", []):
            yield "ImagePullSecret", pull["name"], None, ref(obj)
        for volume in spec.get("volumes", []):
            who = f"{ref(obj)} volume {volume['name']}"
            sources = [volume] + [s for s in volume.get("projected", {}).get("sources", [])]
            for source in sources:
                if "secret" in source:
                    name = source["secret"].get("secretName") or source["secret"].get("name")
                    for item in source["secret"].get("items") or [{"key": None}]:
                        yield "Secret", name, item["key"], who
                if "configMap" in source:
                    for item in source["configMap"].get("items") or [{"key": None}]:
                        yield "ConfigMap", source["configMap"]["name"], item["key"], who
        for c in containers(template):
            who = f"{ref(obj)} container {c['name']}"
            for env in c.get("env", []):
                source = env.get("valueFrom", {})
                if "secretKeyRef" in source:
                    yield "Secret", source["secretKeyRef"]["name"], source["secretKeyRef"]["key"], who
                if "configMapKeyRef" in source:
                    yield "ConfigMap", source["configMapKeyRef"]["name"], source["configMapKeyRef"]["key"], who
            for env_from in c.get("envFrom", []):
                if "secretRef" in env_from:
                    yield "Secret", env_from["secretRef"]["name"], None, who
                if "configMapRef" in env_from:
                    yield "ConfigMap", env_from["configMapRef"]["name"], None, who
    for obj in docs:
        if obj["kind"] in ("TriggerAuthentication", "ClusterTriggerAuthentication"):
            for target in obj["spec"].get("secretTargetRef", []):
                yield "Secret", target["name"], target["key"], ref(obj)


NOTES_ENTRY = re.compile(r"^- (Secret|ConfigMap) (\S+) \((REQUIRED|optional)\), keys: ([^;]+);", re.MULTILINE)


def _declared_in_notes(values: Values) -> dict[str, set[str]]:
    """Secret name -> keys, as NOTES.txt tells the operator to create them."""
    return {
        name: {k.strip() for k in keys.split(",")}
        for kind, name, _, keys in NOTES_ENTRY.findall(notes_of(values))
        if kind == "Secret"
    }


def references(values: Values, docs: list[Obj]) -> Problems:
    """Every referenced Secret/ConfigMap (and key) is in the output or named, with the key, in NOTES.txt.

    This walks the objects themselves, independently of the registry NOTES.txt is derived from;
    for ``imagePullSecrets`` the external list is ``images.pullSecrets``. Each Secret NOTES.txt
    names must be referenced.
    """
    problems = []
    emitted: dict[tuple[str, str], set[str]] = {
        (o["kind"], o["metadata"]["name"]): set(o.get("data", {})) | set(o.get("stringData", {}))
        for o in docs
        if o["kind"] in ("Secret", "ConfigMap", "ServiceAccount")
    }
    for made in operator_made(docs, values.namespace):  # bucket claims' Secrets, the injected service CA, ...
        if made.kind in ("Secret", "ConfigMap"):
            emitted.setdefault((made.kind, made.name), set()).update(made.keys or ())
    external: dict[str, set[str]] = {}
    for name, declared in _declared_in_notes(values).items():
        external.setdefault(name, set()).update(declared)
    referenced: set[str] = set()
    for kind, name, key, who in _references(docs):
        if kind == "ImagePullSecret":
            if name not in values.images.pull_secrets and ("Secret", name) not in emitted:
                problems.append(f"{who}: image pull Secret {name} is neither emitted nor in images.pullSecrets")
            continue
        if kind == "Secret":
            referenced.add(name)
        if (kind, name) in emitted:
            keys = emitted[(kind, name)]
        elif kind == "Secret" and name in external:
            keys = external[name]
        else:
            problems.append(f"{who}: {kind} {name} is neither emitted nor named in NOTES.txt")
            continue
        if key is not None and kind != "ServiceAccount" and key not in keys:
            problems.append(f"{who}: {kind} {name} has no key {key!r} (declared: {sorted(keys)})")
    for name in sorted(set(external) - referenced):
        problems.append(f"NOTES.txt names Secret {name} but nothing references it")
    return problems


_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def images(values: Values, docs: list[Obj]) -> Problems:
    """Every image has an explicit tag (never latest) or a digest; a digest when images.requireDigests."""
    problems = []
    for obj, template in workloads(docs):
        for c in containers(template):
            image, where = c["image"], f"{ref(obj)} container {c['name']}"
            digest = bool(_DIGEST.search(image))
            tag = image.rsplit("/", 1)[-1].partition(":")[2] if not digest else ""
            if not digest and (not tag or tag == "latest"):
                problems.append(f"{where}: image {image!r} has neither a version tag nor a digest")
            if values.images.require_digests and not digest:
                problems.append(f"{where}: images.requireDigests but {image!r} has no digest")
            if c.get("imagePullPolicy") != values.images.pull_policy:
                problems.append(f"{where}: imagePullPolicy {c.get('imagePullPolicy')} is not images.pullPolicy")
    return problems


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_PORT_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
MAX_NAME, MAX_CRONJOB_NAME, MAX_PORT_NAME = 63, 52, 15


def names(values: Values, docs: list[Obj]) -> Problems:
    """Names are unique DNS-1123 labels <= 63 (CronJobs <= 52), in the release namespace; labels valid."""
    problems = []
    seen: set[tuple[str, str, str]] = set()
    for obj in docs:
        meta = obj["metadata"]
        name, limit = meta["name"], MAX_CRONJOB_NAME if obj["kind"] == "CronJob" else MAX_NAME
        valid = _DNS_SUBDOMAIN.match(name) if obj["kind"] == "KafkaTopic" else _DNS_LABEL.match(name)
        if len(name) > limit or not valid:
            problems.append(f"{ref(obj)}: name is not a DNS-1123 name of at most {limit} characters")
        key = (obj["apiVersion"].split("/")[0], obj["kind"], name)
        if key in seen:
            problems.append(f"{ref(obj)}: emitted twice")
        seen.add(key)
        if obj["kind"] == "Namespace":  # cluster-scoped: the release namespace itself
            if name != values.namespace:
                problems.append(f"{ref(obj)}: is not the release namespace {values.namespace!r}")
        elif obj["kind"] not in CLUSTER_SCOPED and meta.get("namespace") != values.namespace:
            problems.append(f"{ref(obj)}: namespace {meta.get('namespace')!r} is not {values.namespace!r}")
        for label, value in (meta.get("labels") or {}).items():
            if len(value) > MAX_NAME or not _LABEL_VALUE.match(value):
                problems.append(f"{ref(obj)}: label {label}={value!r} is not a valid label value")
    for obj, template in workloads(docs):
        for c in containers(template):
            if len(c["name"]) > MAX_NAME or not _DNS_LABEL.match(c["name"]):
                problems.append(f"{ref(obj)}: container name {c['name']!r} is not a DNS-1123 label")
            for port in c.get("ports", []):
                if "name" in port and (len(port["name"]) > MAX_PORT_NAME or not _PORT_NAME.match(port["name"])):
                    problems.append(f"{ref(obj)}: port name {port['name']!r} is not an IANA service name")
    return problems


SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|_KEY$|KEY_ID$|DSN|PSK|CREDENTIALS", re.IGNORECASE)
"""Issue 5's list plus ``values.SECRET_LIKE_NAME``'s (which extraEnv literals are checked against)."""
URL_CREDENTIALS = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://(?!\$\([A-Z_][A-Z0-9_]*\):\$\([A-Z_][A-Z0-9_]*\)@)[^/\s:@]+:[^/\s@]+@"
)
"""``user:pass@`` in a URL, unless both are ``$(VAR)`` references the kubelet fills from other env (Secret) vars."""
FILE_PATH = re.compile(r"^/[^\s:@]*$")
"""A value that is a file path (``GOOGLE_APPLICATION_CREDENTIALS=/etc/gcp/...``) holds no secret."""


def _looks_secret(name: str, value: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not FILE_PATH.match(value)


def secret_material(values: Values, docs: list[Obj]) -> Problems:
    """No secret-looking env literal or ConfigMap key (file paths aside), no ``user:pass@`` URL, no env set twice.

    A repeated name would let a literal (``extraEnv``) shadow a ``secretKeyRef`` of the same name.
    """
    problems = []
    for obj, template in workloads(docs):
        for c in containers(template):
            env_names = [e["name"] for e in c.get("env", [])]
            twice = sorted({n for n in env_names if env_names.count(n) > 1})
            if twice:
                problems.append(f"{ref(obj)} container {c['name']}: env {twice} set more than once")
            for env in c.get("env", []):
                if "value" not in env:
                    continue
                where = f"{ref(obj)} container {c['name']} env {env['name']}"
                if _looks_secret(env["name"], env["value"]):
                    problems.append(f"{where}: a secret-looking name with a literal value")
                if URL_CREDENTIALS.search(env["value"]):
                    problems.append(f"{where}: a URL with credentials")
    for cm in (o for o in docs if o["kind"] == "ConfigMap"):
        for key, value in {**cm.get("data", {}), **cm.get("binaryData", {})}.items():
            if _looks_secret(key, str(value)):
                problems.append(f"{ref(cm)} key {key}: a secret-looking key in a ConfigMap")
            if URL_CREDENTIALS.search(str(value)):
                problems.append(f"{ref(cm)} key {key}: a URL with credentials")
    return problems


def kubernetes_schema(values: Values, docs: list[Obj]) -> Problems:
    """Built-in objects validate strictly against Kubernetes 1.28, integer formats included."""
    return [f"{ref(obj)} {error}" for obj in docs for error in schema_errors(obj)]


def automount_token(values: Values, docs: list[Obj]) -> Problems:
    """A pod mounts a service account token only when the output grants that account something.

    Only the upload ingress with ``tokenReview`` calls the Kubernetes API; every other pod has
    ``automountServiceAccountToken: false``.
    """
    granted = {
        subject["name"]
        for o in docs
        if o["kind"] in ("RoleBinding", "ClusterRoleBinding")
        for subject in o.get("subjects", [])
        if subject["kind"] == "ServiceAccount"
    }
    return [
        f"{ref(obj)}: automountServiceAccountToken is not false and its account has no grant here"
        for obj, t in workloads(docs)
        if t["spec"].get("automountServiceAccountToken") is not False
        and t["spec"].get("serviceAccountName") not in granted
    ]


def cluster_scope(values: Values, docs: list[Obj]) -> Problems:
    """Cluster-wide objects carry no namespace and the release prefix, so two releases never collide."""
    return [
        f"{ref(obj)}: cluster-scoped object with a namespace or without the release prefix"
        for obj in docs
        if obj["kind"] in CLUSTER_SCOPED
        and ("namespace" in obj["metadata"] or not obj["metadata"]["name"].startswith(f"{values.release}-"))
    ]


INVARIANTS: dict[str, Callable[[Values, list[Obj]], Problems]] = {
    f.__name__: f
    for f in (
        pss_restricted,
        platform_ids,
        resources,
        disruption_budgets,
        autoscalers,
        singletons,
        services_and_selectors,
        probe_ports,
        references,
        images,
        names,
        secret_material,
        kubernetes_schema,
        automount_token,
        cluster_scope,
    )
}


def invariant_problems(values: Values, docs: list[Obj]) -> dict[str, Problems]:
    """Every invariant that fails, with its problems."""
    return {name: found for name, check in INVARIANTS.items() if (found := check(values, docs))}


# --- tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("invariant", list(INVARIANTS))
@pytest.mark.parametrize("entry", MATRIX)
def test_invariant(entry: str, invariant: str) -> None:
    assert INVARIANTS[invariant](matrix_values(entry), matrix_objects(entry)) == []


@pytest.mark.parametrize("entry", MATRIX)
def test_custom_resources_validate_against_upstream_crds(entry: str, shared_dir: Path) -> None:
    problems = [
        f"{ref(obj)}: {error}"
        for obj in matrix_objects(entry)
        if not is_builtin(obj)
        for error in custom_resource_errors(obj, shared_dir / "crds")
    ]
    assert problems == []


def test_fast_schema_check_agrees_with_the_tool() -> None:
    """One object of every kind in the matrix: kubernetes-validate and the cached validator know
    the same kinds as built-in and both find them valid (every object is checked by the latter)."""
    sample: dict[tuple[str, str], Obj] = {}
    for entry in MATRIX:
        for obj in matrix_objects(entry):
            sample.setdefault((obj["apiVersion"], obj["kind"]), obj)
    assert [ref(o) for o in sample.values() if tool_knows(o)] == [ref(o) for o in sample.values() if is_builtin(o)]
    assert [ref(o) for o in sample.values() if is_builtin(o) and (tool_errors(o) or schema_errors(o))] == []


def test_fast_schema_check_catches_what_the_tool_catches_and_int32_overflow() -> None:
    deployment = next(o for o in matrix_objects("default-kubernetes") if o["kind"] == "Deployment")
    typo = {**deployment, "spec": {**deployment["spec"], "replicaz": 1}}
    huge = {**deployment, "spec": {**deployment["spec"], "replicas": 2**31}}
    assert tool_errors(typo) and kubernetes_schema(parse({}), [typo])
    assert tool_errors(huge) == [] and "spec.replicas" in kubernetes_schema(parse({}), [huge])[0]


def test_matrix_is_what_the_gate_promises() -> None:
    """The matrix covers what issue 5 asks of it; a drifting values file fails here, not silently."""
    assert [f"{n}-{p}" for n in ("default", "minimal", "production") for p in PLATFORMS] == MATRIX
    minimal, production = matrix_values("minimal-kubernetes"), matrix_values("production-openshift")
    cm = minimal.cost_management
    assert cm.api.mode == "unified" and cm.workers.autoscaling == "none"
    assert {o["kind"] for o in matrix_objects("minimal-kubernetes")}.isdisjoint(
        {"HorizontalPodAutoscaler", "ScaledObject", "PodDisruptionBudget"}
    )
    replicas = [o["spec"]["replicas"] for o in matrix_objects("minimal-kubernetes") if o["kind"] == "Deployment"]
    assert set(replicas) == {1}
    pm = production.cost_management
    assert pm.api.mode == "split" and pm.workers.autoscaling == "keda" and pm.api.read_replica.enabled
    assert pm.api.reads.autoscaling.enabled and pm.workers.alerts.enabled and production.images.require_digests
    kinds = {o["kind"] for o in matrix_objects("production-openshift")}
    assert {"ScaledObject", "HorizontalPodAutoscaler", "PrometheusRule", "Job", "PodDisruptionBudget"} <= kinds


def _image_names() -> list[str]:
    """The values keys (camelCase) of every image."""
    return [field.alias or name for name, field in Images.model_fields.items() if field.annotation is Image]


@pytest.mark.parametrize("missing", _image_names())
def test_require_digests_fails_for_any_image_without_a_digest(missing: str) -> None:
    """requireDigests with one image left on its tag is a values error naming that image."""
    pinned = {name: {"digest": "sha256:" + "0" * 64} for name in _image_names() if name != missing}
    with pytest.raises(ValuesError) as caught:
        parse({"images": {"requireDigests": True, **pinned}})
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert problem.startswith("images") and ": " in problem and missing in problem


def test_secret_material_check_catches_literals_and_url_credentials() -> None:
    """The check itself works (so a clean matrix means something)."""
    docs = [dict(o) for o in matrix_objects("default-kubernetes")]
    deployment = next(o for o in docs if o["kind"] == "Deployment" and "env" in containers(o["spec"]["template"])[-1])
    leaky = copy.deepcopy(deployment)
    leaky["spec"]["template"]["spec"]["containers"][0]["env"] += [
        {"name": "DB_PASSWORD", "value": "hunter2"},
        {"name": "BROKER_URL", "value": "redis://koku:hunter2@redis:6379/1"},
    ]
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"API_TOKEN": "t"}}
    found = secret_material(parse({}), [leaky, config_map])
    assert len(found) == 3, found


def _first(docs: list[Obj], kind: str, component: str | None = None) -> Obj:
    return next(
        o
        for o in docs
        if o["kind"] == kind and component in (None, o["metadata"]["labels"].get("app.kubernetes.io/component"))
    )


def _pod(docs: list[Obj], component: str = "api-writes") -> Obj:
    spec: Obj = _first(docs, "Deployment", component)["spec"]["template"]["spec"]
    return spec


MUTATIONS: dict[str, tuple[str, Callable[[list[Obj]], None]]] = {
    # name: (the invariant that must catch it, the change)
    "privilege-escalation": (
        "pss_restricted",
        lambda d: _pod(d)["containers"][0]["securityContext"].update(allowPrivilegeEscalation=True),
    ),
    "low-uid": ("platform_ids", lambda d: _pod(d)["securityContext"].update(runAsUser=1000)),
    "no-memory-limit": ("resources", lambda d: _pod(d)["containers"][0]["resources"]["limits"].pop("memory")),
    "no-pdb": ("disruption_budgets", lambda d: d.remove(_first(d, "PodDisruptionBudget", "api-writes"))),
    "replicas-under-hpa": ("autoscalers", lambda d: _first(d, "Deployment", "api-reads")["spec"].update(replicas=3)),
    "rolling-beat": (
        "singletons",
        lambda d: _first(d, "Deployment", "celery-beat")["spec"].update(strategy={"type": "RollingUpdate"}),
    ),
    "dangling-service": ("services_and_selectors", lambda d: _first(d, "Service")["spec"]["selector"].update(x="y")),
    "unnamed-probe-port": (
        "probe_ports",
        lambda d: _pod(d)["containers"][0]["livenessProbe"]["httpGet"].update(port=9000),
    ),
    "undeclared-secret": (
        "references",
        lambda d: next(e for e in _pod(d)["containers"][0]["env"] if "secretKeyRef" in e.get("valueFrom", {}))[
            "valueFrom"
        ]["secretKeyRef"].update(name="nowhere"),
    ),
    "latest-image": ("images", lambda d: _pod(d)["containers"][0].update(image="quay.io/x/koku:latest")),
    "long-name": ("names", lambda d: _first(d, "Service")["metadata"].update(name="x" * 64)),
    "token-mounted": ("automount_token", lambda d: _pod(d).update(automountServiceAccountToken=True)),
    "unprefixed-cluster-role": (
        "cluster_scope",
        lambda d: d.append(
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "reader"}}
        ),
    ),
    "token-without-grant": (
        "automount_token",
        lambda d: _pod(d).update(automountServiceAccountToken=True, serviceAccountName="default"),
    ),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_each_invariant_catches_a_broken_object(mutation: str) -> None:
    """Every invariant fails on output broken in the way it guards against (none is vacuous)."""
    invariant, mutate = MUTATIONS[mutation]
    docs = copy.deepcopy(matrix_objects("default-kubernetes"))
    values = matrix_values("default-kubernetes")
    assert INVARIANTS[invariant](values, docs) == []
    mutate(docs)
    assert INVARIANTS[invariant](values, docs) != []
