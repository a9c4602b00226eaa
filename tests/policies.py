"""Checks the tests apply to synthesized objects: schemas and Pod Security Standards."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

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


def kubernetes_errors(obj: dict[str, Any]) -> list[str]:
    """Strict Kubernetes 1.28 schema errors of a built-in object (first error only, per the tool)."""
    try:
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as err:
        return [f"{'.'.join(map(str, err.path))}: {err.message}"]
    return []


def is_builtin(obj: dict[str, Any]) -> bool:
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
        for crd in yaml.safe_load_all(path.read_text()):
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
