"""``ros-synth --compare-to OLD_DIST``: what applying the new output over an old one changes.

Objects are matched by API group, kind, namespace and name. For each changed object the listing
names the changed field paths (never values: Secrets are objects too); list items that carry a
``name`` are addressed by it, so an env change reads ``spec.template.spec.containers[api].env[X].value``.

Some fields Kubernetes refuses to update in place: ``kubectl apply`` (and ``helm upgrade``)
fails on them, half-way through the output. Those changes are *refusals*, each with how to
migrate. So is data left behind: an object that holds data (a StatefulSet with volumes, a claim,
a CloudNativePG cluster, a Strimzi node pool) or a database the ensure Job makes, gone from the
new output (a release rename, a mode switch): the old volume stays and the new release starts
empty. Service ``spec.type`` itself is not one: ClusterIP, NodePort and LoadBalancer convert
in place; a change between headless and not is, through ``spec.clusterIP``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.naming import COMPONENT_LABEL, INSTANCE_LABEL
from ..values.base import memory_bytes
from . import helm

Json = Any
FieldPath = tuple[str, ...]
"""Mapping keys, and list items as ``[name]`` or ``[index]``."""


class CompareError(Exception):
    """The old output cannot be read (missing, empty, not YAML)."""


@dataclass(frozen=True, order=True)
class ObjectKey:
    """What identifies an object to the API server; orders the listing."""

    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        return f"{kind} {self.namespace}/{self.name}" if self.namespace else f"{kind} {self.name}"


def object_key(obj: Mapping[str, Json]) -> ObjectKey:
    meta = obj.get("metadata", {})
    group = str(obj["apiVersion"]).rpartition("/")[0]
    return ObjectKey(group, str(obj["kind"]), str(meta.get("namespace", "")), str(meta["name"]))


def format_path(path: FieldPath) -> str:
    """``spec.template.spec.containers[api]``; keys with dots as ``labels["app.kubernetes.io/name"]``."""
    out = ""
    for part in path:
        if part.startswith("["):
            out += part
        elif "." in part or "[" in part:
            out += f'["{part}"]'
        else:
            out += f".{part}" if out else part
    return out


# --- reading outputs -----------------------------------------------------------------------


def parse_objects(texts: Iterable[str]) -> dict[ObjectKey, Json]:
    """Every object in these multi-document YAML texts, by key."""
    return {object_key(doc): doc for text in texts for doc in yaml.safe_load_all(text) if doc}


def read_output(directory: Path) -> dict[ObjectKey, Json]:
    """The objects of an output directory ros-synth wrote: YAML, or a chart from ``--format helm``."""
    if not directory.is_dir():
        raise CompareError(f"--compare-to {directory}: no such directory")
    chart = (directory / "Chart.yaml").is_file()
    files = sorted((directory / helm.TEMPLATES if chart else directory).glob(helm.CHART_FILES))
    try:
        found = parse_objects(helm.unescape(f.read_text()) if chart else f.read_text() for f in files)
    except (yaml.YAMLError, KeyError, AttributeError, TypeError) as err:
        raise CompareError(f"--compare-to {directory}: not an output of ros-synth ({err})") from err
    if not found:
        where = directory / helm.TEMPLATES if chart else directory
        raise CompareError(f"--compare-to {directory}: no objects in {where}/{helm.CHART_FILES}")
    return found


# --- field differences ---------------------------------------------------------------------

_ABSENT = object()


def _item_name(item: Json) -> Json:
    """A list item's ``name`` (containers, env, ports, volumes), else its ``metadata.name`` (claim templates)."""
    if not isinstance(item, dict):
        return None
    return item["name"] if "name" in item else item.get("metadata", {}).get("name")


def _by_name(items: list[Json]) -> dict[str, Json] | None:
    """Uniquely named mappings by name; else None."""
    names = [_item_name(item) for item in items]
    if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        return dict(zip(names, items, strict=True))
    return None


def _merged_keys(old: Iterable[str], new: Iterable[str]) -> list[str]:
    seen = list(old)
    return [*seen, *(k for k in new if k not in seen)]


def changed_paths(old: Json, new: Json, path: FieldPath = ()) -> Iterator[FieldPath]:
    """The leaf paths where ``old`` and ``new`` differ (added and removed fields included)."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in _merged_keys(old, new):
            yield from changed_paths(old.get(key, _ABSENT), new.get(key, _ABSENT), (*path, str(key)))
        return
    if isinstance(old, list) and isinstance(new, list):
        old_named, new_named = _by_name(old), _by_name(new)
        if old_named is not None and new_named is not None:
            for name in _merged_keys(old_named, new_named):
                yield from changed_paths(
                    old_named.get(name, _ABSENT), new_named.get(name, _ABSENT), (*path, f"[{name}]")
                )
            return
        for i in range(max(len(old), len(new))):
            item = (old[i] if i < len(old) else _ABSENT), (new[i] if i < len(new) else _ABSENT)
            yield from changed_paths(*item, (*path, f"[{i}]"))
        return
    yield path


# --- what Kubernetes refuses -----------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Changes ``kubectl apply`` would fail on, and how to get there instead."""

    key: ObjectKey
    fields: tuple[str, ...]
    migrate: str


_STATEFULSET_MUTABLE = {
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
}
"""The StatefulSet spec fields the API server lets an update change (Kubernetes 1.28)."""
_JOB_IMMUTABLE = {"selector", "manualSelector", "template", "completionMode", "podFailurePolicy"}
_STORAGE = ("spec", "resources", "requests", "storage")
"""A claim's size: the one spec field of a PersistentVolumeClaim that may change (grow)."""


def _under(path: FieldPath, *prefix: str) -> bool:
    return path[: len(prefix)] == prefix


def _delete_and_apply(key: ObjectKey, after: str) -> str:
    namespace = f"-n {key.namespace} " if key.namespace else ""
    return f"`kubectl {namespace}delete {key.kind.lower()} {key.name}`, then apply; {after}"


def _workload_selector(key: ObjectKey, old: Json, new: Json, paths: list[FieldPath]) -> Refusal | None:
    refused = [p for p in paths if _under(p, "spec", "selector")]
    after = "its pods stop until the new ones are ready: plan the downtime"
    return _refusal(key, refused, _delete_and_apply(key, after))


def _stateful_set(key: ObjectKey, old: Json, new: Json, paths: list[FieldPath]) -> Refusal | None:
    refused = [p for p in paths if len(p) > 1 and p[0] == "spec" and p[1] not in _STATEFULSET_MUTABLE]
    ns = f"-n {key.namespace} " if key.namespace else ""
    migrate = (
        f"`kubectl {ns}delete statefulset {key.name} --cascade=orphan` (its pods and volumes stay), then apply: "
        "the new StatefulSet adopts the pods"
    )
    if any(_under(p, "spec", "selector") for p in refused):
        migrate += f" only if its selector matches them; delete the old pods of {key.name} one by one"
    resized = [p for p in refused if _under(p, "spec", "volumeClaimTemplates") and p[3:] == _STORAGE]
    for path in resized:
        claim = path[2].strip("[]")
        size = _get(new, path)
        migrate += (
            f"; existing claims keep their size: `kubectl {ns}patch pvc {claim}-{key.name}-<ordinal> "
            f'-p \'{{"spec":{{"resources":{{"requests":{{"storage":"{size}"}}}}}}}}\'` for each pod '
            "(the storage class must allow expansion; claims cannot shrink)"
        )
    return _refusal(key, refused, migrate)


def _job(key: ObjectKey, old: Json, new: Json, paths: list[FieldPath]) -> Refusal | None:
    refused = [p for p in paths if len(p) > 1 and p[0] == "spec" and p[1] in _JOB_IMMUTABLE]
    return _refusal(key, refused, _delete_and_apply(key, "the Job runs again"))


def _service(key: ObjectKey, old: Json, new: Json, paths: list[FieldPath]) -> Refusal | None:
    types = {_get(old, ("spec", "type")), _get(new, ("spec", "type"))}
    if "ExternalName" in types:  # an ExternalName Service has no cluster IP to keep
        return None
    refused = [p for p in paths if _under(p, "spec", "clusterIP") or _under(p, "spec", "clusterIPs")]
    after = "it gets a new address, and connections to it drop once"
    return _refusal(key, refused, _delete_and_apply(key, after))


def _claim(key: ObjectKey, old: Json, new: Json, paths: list[FieldPath]) -> Refusal | None:
    refused = [p for p in paths if p[:1] == ("spec",) and p != _STORAGE]
    old_size, new_size = _get(old, _STORAGE), _get(new, _STORAGE)
    if old_size and new_size and memory_bytes(str(new_size)) < memory_bytes(str(old_size)):
        refused.append(_STORAGE)
    after = "the claim's data goes with it: back it up first and restore it after (a claim can only grow)"
    return _refusal(key, refused, _delete_and_apply(key, after))


def _binding(key: ObjectKey, old: Json, new: Json, paths: list[FieldPath]) -> Refusal | None:
    refused = [p for p in paths if _under(p, "roleRef")]
    return _refusal(key, refused, _delete_and_apply(key, "the subjects lose the role in between"))


def _config(key: ObjectKey, old: Json, new: Json, paths: list[FieldPath]) -> Refusal | None:
    fixed = {"data", "binaryData", "stringData", "immutable"} if old.get("immutable") else set()
    refused = [p for p in paths if p[0] in fixed or (key.kind == "Secret" and p == ("type",))]
    return _refusal(key, refused, _delete_and_apply(key, "restart the pods that use it"))


def _refusal(key: ObjectKey, refused: list[FieldPath], migrate: str) -> Refusal | None:
    return Refusal(key, tuple(format_path(p) for p in refused), migrate) if refused else None


def _get(obj: Json, path: FieldPath) -> Json:
    """The value at a path :func:`changed_paths` produced, or None."""
    for part in path:
        if isinstance(obj, dict):
            obj = obj.get(part)
        elif isinstance(obj, list) and part.startswith("["):
            name, named = part[1:-1], _by_name(obj)
            if named is not None:
                obj = named.get(name)
            else:
                obj = obj[int(name)] if name.isdigit() and int(name) < len(obj) else None
        else:
            return None
    return obj


_Rule = Callable[[ObjectKey, Json, Json, list[FieldPath]], Refusal | None]
_RULES: dict[tuple[str, str], _Rule] = {
    ("apps", "Deployment"): _workload_selector,
    ("apps", "ReplicaSet"): _workload_selector,
    ("apps", "DaemonSet"): _workload_selector,
    ("apps", "StatefulSet"): _stateful_set,
    ("batch", "Job"): _job,
    ("", "Service"): _service,
    ("", "PersistentVolumeClaim"): _claim,
    ("rbac.authorization.k8s.io", "RoleBinding"): _binding,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _binding,
    ("", "ConfigMap"): _config,
    ("", "Secret"): _config,
}
"""Per kind, the fields an update may not change; every other kind (CronJob included) updates in place."""


# --- data left behind -----------------------------------------------------------------------

_DATA_HOLDERS = {
    ("apps", "StatefulSet"),
    ("", "PersistentVolumeClaim"),
    ("postgresql.cnpg.io", "Cluster"),
    ("kafka.strimzi.io", "KafkaNodePool"),
}
"""Kinds whose objects keep data on volumes that outlive them."""
ENSURE = "database-ensure"
"""The component of the Job (and its script's ConfigMap) that makes every service's login and database."""
_DATABASE = re.compile(r"^-- database (\S+):", re.MULTILINE)
"""How the ensure Job's script (:func:`~ros_constructs.data.postgres_sql.ensure_sql`) names each database it makes."""


def _holds_data(key: ObjectKey, obj: Json) -> bool:
    if key.kind == "StatefulSet":
        return bool(obj.get("spec", {}).get("volumeClaimTemplates"))
    return (key.group, key.kind) in _DATA_HOLDERS


def _same_role(new_key: ObjectKey, new: Json, old_key: ObjectKey, old: Json) -> bool:
    """In the same namespace: the same component (a StatefulSet may become a CloudNativePG
    cluster), or the same kind where either is unlabelled."""
    if new_key.namespace != old_key.namespace:
        return False
    components = [o.get("metadata", {}).get("labels", {}).get(COMPONENT_LABEL) for o in (new, old)]
    if None in components:
        return (new_key.group, new_key.kind) == (old_key.group, old_key.kind)
    return bool(components[0] == components[1])


def _databases(objects: Mapping[ObjectKey, Json]) -> dict[tuple[str, str], ObjectKey]:
    """(namespace, database) -> the ConfigMap of the ensure script that makes it."""
    found: dict[tuple[str, str], ObjectKey] = {}
    for key, obj in objects.items():
        if key.kind == "ConfigMap" and obj.get("metadata", {}).get("labels", {}).get(COMPONENT_LABEL) == ENSURE:
            for text in (obj.get("data") or {}).values():
                found |= {(key.namespace, db): key for db in _DATABASE.findall(str(text))}
    return found


def _left_behind(old: Mapping[ObjectKey, Json], new: Mapping[ObjectKey, Json]) -> list[Refusal]:
    """A refusal per data-holding object and per database the new output no longer has."""
    added = [k for k in new.keys() - old.keys() if _holds_data(k, new[k])]
    refusals = []
    for key in sorted(old.keys() - new.keys()):
        if not _holds_data(key, old[key]):
            continue
        heirs = [k for k in added if _same_role(k, new[k], key, old[key])]
        instead = f" ({', '.join(str(k) for k in sorted(heirs))}: new, and starts empty)" if heirs else ""
        ns = f"-n {key.namespace} " if key.namespace else ""
        migrate = (
            f"its volumes stay behind and nothing uses them{instead}: back the data up "
            f"(`kubectl {ns}get pvc` lists the claims), apply, restore it into the new store, then delete "
            "the old objects; or keep the release name and modes of the old output"
        )
        refusals.append(Refusal(key, ("removed",), migrate))
    gone = _databases(old).keys() - _databases(new).keys()
    for namespace, db in sorted(gone):
        migrate = (
            f"database {db} keeps its data on the server, but the new output no longer makes or uses it: "
            "keep the old output's release name and modes (costManagement.enabled, database.mode), or "
            f"dump it (`pg_dump -d {db}`) and restore it where the new output reads, or drop it once it is not wanted"
        )
        refusals.append(Refusal(_databases(old)[(namespace, db)], (f"database {db} removed",), migrate))
    return refusals


# --- the comparison ----------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Objects added, removed and changed (with their field paths), and the refused changes."""

    old_dir: Path
    added: list[ObjectKey]
    removed: list[ObjectKey]
    replaced_jobs: list[tuple[ObjectKey, ObjectKey]]
    changed: dict[ObjectKey, list[str]]
    unchanged: int
    refusals: list[Refusal]

    def lines(self) -> list[str]:
        """The listing, one entry per object in key order."""
        entries: list[tuple[ObjectKey, list[str]]] = []
        entries += [(k, [f"added    {k}"]) for k in self.added]
        entries += [(k, [f"removed  {k}"]) for k in self.removed]
        for old, new in self.replaced_jobs:
            entries.append((old, [f"replaced {old} by {new.name} (a Job is named after its spec: a new run)"]))
        for key, paths in self.changed.items():
            entries.append((key, [f"changed  {key}", *(f"           {p}" for p in paths)]))
        counts = (
            f"{len(self.added)} added, {len(self.removed)} removed, {len(self.replaced_jobs)} Jobs replaced, "
            f"{len(self.changed)} changed, {self.unchanged} unchanged"
        )
        out = [f"compared with {self.old_dir}: {counts}"]
        out += [f"  {line}" for _, block in sorted(entries, key=lambda e: e[0]) for line in block]
        if self.removed or self.replaced_jobs:
            out.append(
                "  kubectl apply leaves removed objects and replaced Jobs in the cluster: "
                "delete them, or apply with --prune (helm upgrade removes them)"
            )
        return out

    def refusal_lines(self) -> list[str]:
        """What Kubernetes refuses, per object: the fields and how to migrate."""
        out = [
            "Kubernetes refuses to update these fields in place (kubectl apply and helm upgrade fail on them), "
            "or the change leaves data behind:"
        ]
        for refusal in self.refusals:
            out.append(f"  {refusal.key}: {', '.join(refusal.fields)}")
            out.append(f"    migrate: {refusal.migrate}")
        return out


def _job_family(obj: Json) -> tuple[str, str, str] | None:
    """A Job's namespace, instance and component: what stays when its spec, and so its name, changes."""
    labels = obj.get("metadata", {}).get("labels", {})
    if obj.get("kind") != "Job" or COMPONENT_LABEL not in labels:
        return None
    return obj["metadata"].get("namespace", ""), labels.get(INSTANCE_LABEL, ""), labels[COMPONENT_LABEL]


def compare(old_dir: Path, old: Mapping[ObjectKey, Json], new: Mapping[ObjectKey, Json]) -> Comparison:
    """Compare two outputs' objects (as :func:`read_output` and :func:`parse_objects` return them)."""
    added = sorted(new.keys() - old.keys())
    removed = sorted(old.keys() - new.keys())
    new_jobs = {_job_family(new[k]): k for k in added if _job_family(new[k])}
    replaced = [(k, new_jobs[f]) for k in removed if (f := _job_family(old[k])) and f in new_jobs]
    replaced_keys = {k for pair in replaced for k in pair}
    changed: dict[ObjectKey, list[str]] = {}
    refusals: list[Refusal] = []
    for key in sorted(old.keys() & new.keys()):
        paths = list(changed_paths(old[key], new[key]))
        if not paths:
            continue
        changed[key] = [format_path(p) for p in paths]
        rule = _RULES.get((key.group, key.kind))
        refusal = rule(key, old[key], new[key], paths) if rule else None
        if refusal:
            refusals.append(refusal)
    refusals += _left_behind(old, new)
    return Comparison(
        old_dir=old_dir,
        added=[k for k in added if k not in replaced_keys],
        removed=[k for k in removed if k not in replaced_keys],
        replaced_jobs=replaced,
        changed=changed,
        unchanged=len(old.keys() & new.keys()) - len(changed),
        refusals=refusals,
    )
