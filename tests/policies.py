"""Checks the tests apply to synthesized objects: schemas and Pod Security Standards."""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate import utils as kv_utils
from referencing import Registry, Resource

K8S_VERSION = "1.28.0"
CLUSTER_SCOPED = ("ClusterRole", "ClusterRoleBinding")
"""Cluster-wide kinds the output may hold besides its Namespace: no namespace, release-prefixed."""
RESTRICTED_VOLUME_TYPES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}


def _int_in(bits: int) -> Callable[[object], bool]:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def check(instance: object) -> bool:
        # JSON Schema "integer" also admits integral floats (1e+30 is what jsii makes of 10**30).
        if isinstance(instance, bool) or not isinstance(instance, int | float):
            return True
        return bool(low <= instance <= high)

    return check


_FORMATS = jsonschema.FormatChecker()
_FORMATS.checks("int32")(_int_in(32))
_FORMATS.checks("int64")(_int_in(64))


@functools.cache
def builtin_validator(api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
    """kubernetes-validate's strict 1.28 schema for a built-in kind (None for custom resources),
    as a cached validator that also checks the int32/int64 formats.

    The tool's own :func:`tool_errors` rereads the schema files on every call (about 20 ms an
    object) and ignores ``format``, so an out-of-range replica count would pass.
    ``test_gate.test_fast_schema_check_agrees_with_the_tool`` keeps the two in step.
    """
    version = [v for v in kv_utils.all_versions() if kv_utils.major_minor(v) <= kv_utils.major_minor(K8S_VERSION)][-1]
    schema_dir = f"kubernetes-json-schema/v{version}-local-strict"
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv_utils.schema_contents(f"{schema_dir}/{kind.lower()}-{group_version}.json", K8S_VERSION)
    except FileNotFoundError:
        return None
    definitions = kv_utils.schema_contents(f"{schema_dir}/_definitions.json", K8S_VERSION)
    registry: Registry[Any] = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=_FORMATS)


def is_builtin(obj: dict[str, Any]) -> bool:
    """A Kubernetes 1.28 kind (the rest are custom resources, checked against their CRDs)."""
    return builtin_validator(obj["apiVersion"], obj["kind"]) is not None


_SCHEMA_ERRORS: dict[str, tuple[str, ...]] = {}


def schema_errors(obj: dict[str, Any]) -> tuple[str, ...]:
    """Strict Kubernetes 1.28 schema errors of a built-in object (none for a custom resource).

    Profiles share most objects, so each distinct object is validated once per session.
    """
    key = json.dumps(obj, sort_keys=True)
    if key not in _SCHEMA_ERRORS:
        validator = builtin_validator(obj["apiVersion"], obj["kind"])
        errors = validator.iter_errors(obj) if validator else ()
        _SCHEMA_ERRORS[key] = tuple(f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
    return _SCHEMA_ERRORS[key]


def tool_errors(obj: dict[str, Any]) -> list[str]:
    """kubernetes-validate's own strict verdict (first error only): the reference for the fast check."""
    try:
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as err:
        return [f"{'.'.join(map(str, err.path))}: {err.message}"]
    return []


def tool_knows(obj: dict[str, Any]) -> bool:
    """kubernetes-validate has a schema for the object's kind."""
    try:
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        return False
    except kubernetes_validate.ValidationError:
        return True
    return True


def _strict(schema: Any) -> Any:
    """Reject unknown fields like the API server's strict field validation would. A keyword set to
    null (OpenShift's Route CRD has ``anyOf: null``) means absent, as the API server reads it."""
    if isinstance(schema, dict):
        schema = {k: _strict(v) for k, v in schema.items() if v is not None}
        if (
            schema.get("type") == "object"
            and "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@functools.cache
def crd_validators(crds_dir: Path) -> dict[tuple[str, str], jsonschema.protocols.Validator]:
    """(apiVersion, kind) -> validator for every served version of every CRD in ``crds_dir``."""
    validators: dict[tuple[str, str], jsonschema.protocols.Validator] = {}
    for path in sorted(crds_dir.glob("*.yaml")):
        for crd in yaml.load_all(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if not version.get("served"):
                    continue
                schema = _strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
                # The API server accepts these on every object, whether or not the CRD lists them.
                schema.setdefault("properties", {}).update(
                    metadata={"type": "object"}, apiVersion={"type": "string"}, kind={"type": "string"}
                )
                validators[(f"{group}/{version['name']}", kind)] = jsonschema.Draft7Validator(schema)
    return validators


def custom_resource_errors(obj: dict[str, Any], crds_dir: Path) -> list[str]:
    validator = crd_validators(crds_dir).get((obj["apiVersion"], obj["kind"]))
    if validator is None:
        return [f"no CRD schema for {obj['apiVersion']} {obj['kind']} in {crds_dir}"]
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)]


def pss_restricted_violations(template: dict[str, Any]) -> list[str]:
    """Pod Security Standards "restricted" (the admission controller's checks) for one pod template."""
    spec = template["spec"]
    pod_sc = spec.get("securityContext", {})
    problems = []
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(flag):
            problems.append(f"{flag} is set")
    for volume in spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUME_TYPES:
            problems.append(f"volume {volume['name']} uses {sorted(kinds - RESTRICTED_VOLUME_TYPES)}")
    if pod_sc.get("runAsUser") == 0:
        problems.append("pod runAsUser is 0")
    pod_seccomp = pod_sc.get("seccompProfile", {}).get("type")
    for container in [*spec.get("initContainers", []), *spec["containers"]]:
        name, sc = container["name"], container.get("securityContext", {})
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation is not false")
        if sc.get("privileged"):
            problems.append(f"{name}: privileged")
        caps = sc.get("capabilities", {})
        if "ALL" not in caps.get("drop", []):
            problems.append(f"{name}: capabilities do not drop ALL")
        if set(caps.get("add", [])) - {"NET_BIND_SERVICE"}:
            problems.append(f"{name}: adds capabilities {caps['add']}")
        non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
        if non_root is not True or sc.get("runAsNonRoot") is False:
            problems.append(f"{name}: runAsNonRoot is not true")
        if sc.get("runAsUser") == 0:
            problems.append(f"{name}: runAsUser is 0")
        seccomp = sc.get("seccompProfile", {}).get("type", pod_seccomp)
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problems.append(f"{name}: seccompProfile is {seccomp!r}")
        for port in container.get("ports", []):
            if port.get("hostPort"):
                problems.append(f"{name}: hostPort {port['hostPort']}")
        for probe_kind in ("livenessProbe", "readinessProbe", "startupProbe"):
            probe = container.get(probe_kind, {})
            for action in ("httpGet", "tcpSocket"):
                if probe.get(action, {}).get("host"):
                    problems.append(f"{name}: {probe_kind} sets a host")
    return problems
