"""The upgrade guard (``ros-synth --compare-to``): the change listing, the fields Kubernetes refuses
to update in place (exit 3, output left as it was) and the errors for an unusable old output."""

from __future__ import annotations

import copy
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import objects, ros_synth, tree

from ros_constructs.tools.compare import Comparison, ObjectKey, compare, object_key

Run = tuple[Path, subprocess.CompletedProcess[str]]

Json = Any

# --- the rules, on the default output's objects (in memory) -------------------------------------


def _default() -> dict[ObjectKey, Json]:
    return {object_key(o): o for o in objects("default")}


def _key(kind: str, name: str) -> ObjectKey:
    (key,) = [k for k in _default() if k.kind == kind and k.name == name]
    return key


def _compare_edit(key: ObjectKey, edit: Callable[[Json], None]) -> Comparison:
    old = _default()
    new = dict(old)
    new[key] = copy.deepcopy(old[key])
    edit(new[key])
    return compare(Path("old"), old, new)


DATABASE = "cost-onprem-database"


def _set_component(obj: Json) -> None:
    obj["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] = "reads"


def _set_claim_size(obj: Json) -> None:
    obj["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] = "50Gi"


def _set_cluster_ip(obj: Json) -> None:
    del obj["spec"]["clusterIP"]


REFUSED = [
    pytest.param(
        ("Deployment", "cost-onprem-api-reads"),
        _set_component,
        'spec.selector.matchLabels["app.kubernetes.io/component"]',
        "`kubectl -n cost-onprem delete deployment cost-onprem-api-reads`, then apply",
        id="deployment-selector",
    ),
    pytest.param(
        ("StatefulSet", DATABASE),
        _set_claim_size,
        "spec.volumeClaimTemplates[data].spec.resources.requests.storage",
        f"kubectl -n cost-onprem delete statefulset {DATABASE} --cascade=orphan` (its pods and volumes stay)",
        id="statefulset-claim-size",
    ),
    pytest.param(
        ("StatefulSet", DATABASE),
        lambda o: o["spec"].update(serviceName="other"),
        "spec.serviceName",
        "--cascade=orphan",
        id="statefulset-service-name",
    ),
    pytest.param(
        ("StatefulSet", DATABASE),
        lambda o: o["spec"].update(podManagementPolicy="Parallel"),
        "spec.podManagementPolicy",
        "--cascade=orphan",
        id="statefulset-pod-management",
    ),
    pytest.param(
        ("StatefulSet", DATABASE),
        _set_component,
        'spec.selector.matchLabels["app.kubernetes.io/component"]',
        f"only if its selector matches them; delete the old pods of {DATABASE} one by one",
        id="statefulset-selector",
    ),
    pytest.param(
        ("Service", DATABASE),
        _set_cluster_ip,
        "spec.clusterIP",
        f"`kubectl -n cost-onprem delete service {DATABASE}`, then apply",
        id="service-headless-to-cluster-ip",
    ),
]


@pytest.mark.parametrize(("target", "edit", "field", "hint"), REFUSED)
def test_immutable_changes_are_refusals_naming_the_field_and_how_to_migrate(
    target: tuple[str, str], edit: Callable[[Json], None], field: str, hint: str
) -> None:
    key = _key(*target)
    result = _compare_edit(key, edit)
    assert list(result.changed) == [key]
    (refusal,) = result.refusals
    assert refusal.key == key and field in refusal.fields
    assert hint in refusal.migrate


def _job_key() -> ObjectKey:
    (key,) = [k for k in _default() if k.kind == "Job" and "db-migrate" in k.name]
    return key


def test_a_job_whose_template_changes_under_the_same_name_is_refused() -> None:
    key = _job_key()
    result = _compare_edit(key, lambda o: o["spec"]["template"]["spec"]["containers"][0].update(image="other:1"))
    (refusal,) = result.refusals
    assert refusal.fields == (f"spec.template.spec.containers[{_container(key)}].image",)
    assert refusal.migrate == f"`kubectl -n cost-onprem delete job {key.name}`, then apply; the Job runs again"


def test_a_job_with_a_new_completion_mode_is_refused() -> None:
    result = _compare_edit(_job_key(), lambda o: o["spec"].update(completionMode="Indexed"))
    assert [r.fields for r in result.refusals] == [("spec.completionMode",)]


def _container(key: ObjectKey) -> str:
    return str(_default()[key]["spec"]["template"]["spec"]["containers"][0]["name"])


def test_a_job_renamed_after_its_new_spec_is_a_replacement_not_a_refusal() -> None:
    """Our Jobs are named after a hash of their spec: a new spec is a new Job, not an update."""
    old = _default()
    key = _job_key()
    renamed = copy.deepcopy(old[key])
    renamed["metadata"]["name"] = "cost-onprem-db-migrate-0123456789"
    renamed["spec"]["template"]["spec"]["containers"][0]["image"] = "other:1"
    new = {k: v for k, v in old.items() if k != key} | {object_key(renamed): renamed}
    result = compare(Path("old"), old, new)
    assert result.refusals == [] and result.added == [] and result.removed == []
    assert result.replaced_jobs == [(key, object_key(renamed))]
    assert f"replaced {key} by cost-onprem-db-migrate-0123456789" in "\n".join(result.lines())


MUTABLE = [
    pytest.param(("Deployment", "cost-onprem-api-writes"), lambda o: o["spec"].update(replicas=5), id="replicas"),
    pytest.param(
        ("Deployment", "cost-onprem-api-writes"),
        lambda o: o["spec"]["template"]["metadata"]["labels"].update(extra="x"),
        id="pod-template",
    ),
    pytest.param(
        ("StatefulSet", DATABASE),
        lambda o: o["spec"]["template"]["spec"]["containers"][0].update(image="postgres:17"),
        id="statefulset-template",
    ),
    pytest.param(("CronJob", "cost-onprem-rosocp-partitions"), lambda o: o["spec"].update(schedule="@daily")),
    pytest.param(
        ("CronJob", "cost-onprem-rosocp-partitions"),
        lambda o: o["spec"]["jobTemplate"]["spec"]["template"]["spec"].update(priorityClassName="low"),
        id="cronjob-job-template",
    ),
    pytest.param(("Service", "cost-onprem-api-writes"), lambda o: o["spec"].update(type="LoadBalancer"), id="svc-type"),
    pytest.param(("ConfigMap", "cost-onprem-koku-env"), lambda o: o["data"].update(X="1"), id="configmap-data"),
]


@pytest.mark.parametrize(("target", "edit"), MUTABLE)
def test_changes_kubernetes_applies_in_place_are_listed_not_refused(
    target: tuple[str, str], edit: Callable[[Json], None]
) -> None:
    key = _key(*target)
    result = _compare_edit(key, edit)
    assert list(result.changed) == [key] and result.refusals == []


def _claim(storage: str, storage_class: str = "fast") -> Json:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "namespace": "ns"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": storage_class,
            "resources": {"requests": {"storage": storage}},
        },
    }


@pytest.mark.parametrize(
    ("new", "refused"),
    [
        (_claim("30Gi"), []),
        (_claim("10240Mi"), []),
        (_claim("5Gi"), ["spec.resources.requests.storage"]),
        (_claim("10Gi", "slow"), ["spec.storageClassName"]),
    ],
    ids=["grow", "same-size-other-unit", "shrink", "storage-class"],
)
def test_a_claim_may_only_grow(new: Json, refused: list[str]) -> None:
    old = _claim("10Gi")
    result = compare(Path("old"), {object_key(old): old}, {object_key(new): new})
    assert [f for r in result.refusals for f in r.fields] == refused


def _object(kind: str, api_version: str = "v1", **fields: Json) -> Json:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", "namespace": "ns"}, **fields}


RBAC = "rbac.authorization.k8s.io/v1"


@pytest.mark.parametrize(
    ("old", "new", "refused"),
    [
        (
            _object("RoleBinding", RBAC, roleRef={"kind": "Role", "name": "a"}),
            _object("RoleBinding", RBAC, roleRef={"kind": "Role", "name": "b"}),
            ["roleRef.name"],
        ),
        (_object("Secret", type="Opaque"), _object("Secret", type="kubernetes.io/tls"), ["type"]),
        (_object("Secret", immutable=True, data={"a": "MQ=="}), _object("Secret", immutable=True, data={}), ["data.a"]),
        (_object("ConfigMap", immutable=True, data={"a": "1"}), _object("ConfigMap", data={"a": "1"}), ["immutable"]),
        (_object("ConfigMap", data={"a": "1"}), _object("ConfigMap", immutable=True, data={"a": "2"}), []),
    ],
    ids=["role-ref", "secret-type", "immutable-secret", "immutable-configmap", "becoming-immutable"],
)
def test_role_refs_secret_types_and_immutable_data_are_refused(old: Json, new: Json, refused: list[str]) -> None:
    result = compare(Path("old"), {object_key(old): old}, {object_key(new): new})
    assert [f for r in result.refusals for f in r.fields] == refused


def test_the_listing_names_field_paths_by_item_name_in_key_order() -> None:
    key = _key("Deployment", "cost-onprem-api-writes")
    container = _container(key)

    def edit(obj: Json) -> None:
        obj["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "X", "value": "1"})

    old = _default()
    removed = _key("Service", "cost-onprem-api-reads")
    new = {k: v for k, v in old.items() if k != removed}
    new[key] = copy.deepcopy(old[key])
    edit(new[key])
    lines = compare(Path("old"), old, new).lines()
    assert lines[0] == f"compared with old: 0 added, 1 removed, 0 Jobs replaced, 1 changed, {len(old) - 2} unchanged"
    assert lines[1:4] == [  # core group ("") before apps
        "  removed  Service cost-onprem/cost-onprem-api-reads",
        "  changed  Deployment.apps cost-onprem/cost-onprem-api-writes",
        f"             spec.template.spec.containers[{container}].env[X]",
    ]
    assert "kubectl apply leaves removed objects" in lines[-1]


# --- the CLI: two outputs from two values sets ------------------------------------------------


def _values(tmp_path: Path, name: str, content: Json) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(content))
    return str(path)


def _extra_env(value: str) -> Json:
    return {"costManagement": {"api": {"writes": {"extraEnv": [{"name": "FEATURE_X", "value": value}]}}}}


def test_an_env_change_is_listed_by_container_and_env_name_and_exits_0(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    assert ros_synth("-f", _values(tmp_path, "a", _extra_env("1")), "-o", str(old)).returncode == 0
    result = ros_synth("-f", _values(tmp_path, "b", _extra_env("2")), "-o", str(new), "--compare-to", str(old))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"compared with {old}: 0 added, 0 removed, 0 Jobs replaced, 1 changed, {_count(old) - 1} unchanged",
        "  changed  Deployment.apps cost-onprem/cost-onprem-api-writes",
        "             spec.template.spec.containers[cost-onprem-api-writes].env[FEATURE_X].value",
    ]
    assert lines[3].startswith(f"synthesized 6 charts, {_count(old)} objects to {new}")
    assert '- name: FEATURE_X\n              value: "2"' in (new / "40-cost-management.k8s.yaml").read_text()


def _count(directory: Path) -> int:
    return sum(1 for f in directory.glob("*.k8s.yaml") for doc in yaml.safe_load_all(f.read_text()) if doc)


def test_a_volume_size_change_exits_3_and_leaves_the_output_as_it_was(
    tmp_path: Path, default_run: Run, openshift_run: Run
) -> None:
    old, out = tmp_path / "old", tmp_path / "out"
    shutil.copytree(default_run[0], old)
    shutil.copytree(openshift_run[0], out)
    before = tree(out)
    bigger = _values(tmp_path, "big", {"database": {"internal": {"volume": {"size": "50Gi"}}}})
    result = ros_synth("-f", bigger, "-o", str(out), "--compare-to", str(old))
    assert result.returncode == 3
    assert f"  changed  StatefulSet.apps cost-onprem/{DATABASE}" in result.stdout.splitlines()
    assert result.stderr.splitlines() == [
        "Kubernetes refuses to update these fields in place (kubectl apply and helm upgrade fail on them), "
        "or the change leaves data behind:",
        f"  StatefulSet.apps cost-onprem/{DATABASE}: spec.volumeClaimTemplates[data].spec.resources.requests.storage",
        f"    migrate: `kubectl -n cost-onprem delete statefulset {DATABASE} --cascade=orphan` (its pods and volumes "
        "stay), then apply: the new StatefulSet adopts the pods; existing claims keep their size: "
        f"`kubectl -n cost-onprem patch pvc data-{DATABASE}-<ordinal> "
        """-p '{"spec":{"resources":{"requests":{"storage":"50Gi"}}}}'` for each pod """
        "(the storage class must allow expansion; claims cannot shrink)",
        f"{out} was left as it was; migrate as above, then rerun without --compare-to",
    ]
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.yaml", "old", "out"]


def test_a_selector_change_against_an_older_output_exits_3(tmp_path: Path, default_run: Run) -> None:
    """No value changes a selector (names and selectors derive from the same release and component);
    an output written by an earlier version with another selector label stands in for one."""
    old = tmp_path / "old"
    shutil.copytree(default_run[0], old)
    chart = old / "40-cost-management.k8s.yaml"
    docs = list(yaml.safe_load_all(chart.read_text()))
    for doc in docs:
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "cost-onprem-worker-celery":
            doc["spec"]["selector"]["matchLabels"]["app"] = "worker-celery"
    chart.write_text(yaml.safe_dump_all(docs))
    result = ros_synth("-o", str(tmp_path / "new"), "--compare-to", str(old))
    assert result.returncode == 3
    assert result.stderr.splitlines()[1:3] == [
        "  Deployment.apps cost-onprem/cost-onprem-worker-celery: spec.selector.matchLabels.app",
        "    migrate: `kubectl -n cost-onprem delete deployment cost-onprem-worker-celery`, then apply; "
        "its pods stop until the new ones are ready: plan the downtime",
    ]
    assert not (tmp_path / "new").exists()


def test_comparing_with_a_helm_chart_output_reads_its_templates(tmp_path: Path) -> None:
    old = tmp_path / "chart"
    assert ros_synth("--platform", "openshift", "--format", "helm", "-o", str(old)).returncode == 0
    result = ros_synth("--platform", "openshift", "-o", str(tmp_path / "new"), "--compare-to", str(old))
    assert result.returncode == 0, result.stderr
    total = _count(tmp_path / "new")
    assert result.stdout.splitlines()[0] == (
        f"compared with {old}: 0 added, 0 removed, 0 Jobs replaced, 0 changed, {total} unchanged"
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: None, "no such directory"),
        (lambda d: d.mkdir(), "no objects in {d}/*.k8s.yaml"),
        (lambda d: (d.mkdir(), (d / "10-base.k8s.yaml").write_text("kind: [\n")), "not an output of ros-synth"),
    ],
    ids=["missing", "empty", "not-yaml"],
)
def test_an_unusable_old_output_exits_2_and_writes_nothing(
    tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    old = tmp_path / "old"
    make(old)
    result = ros_synth("-o", str(tmp_path / "out"), "--compare-to", str(old))
    assert result.returncode == 2
    assert result.stderr.startswith(f"ros-synth: --compare-to {old}: ")
    assert message.format(d=old) in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
