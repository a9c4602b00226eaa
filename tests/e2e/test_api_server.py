"""Our output against a real control plane (``make e2e``): etcd and kube-apiserver built from their
Go modules, kubectl from its npm package (``scripts/e2e-tools.sh``), all on loopback.

Every profile is applied server-side with the CRDs of ``../shared/crds`` installed: the API server
validates every object (OpenAPI, CEL rules, defaulting) and the Pod Security admission checks each
pod template against the Namespace's labels (a violation is a warning on a Deployment). Then the
upgrade cases: what ``--compare-to`` lets through the API server takes, what it refuses the API
server refuses. No controllers run, so nothing is scheduled: this checks the objects, not the pods.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ENV, PROFILES, PROFILES_DIR, SHARED, SIZED_PREFIX, free_port, ros_synth

pytestmark = pytest.mark.e2e

BIN = Path(os.environ.get("E2E_BIN", Path.home() / ".cache" / "ros-constructs" / "e2e" / "bin"))
TOOLS = ("etcd", "kube-apiserver", "kubectl")
TOKEN = "e2e-admin-token"
SEED = "e2e-seed-0123456789abcdef"
"""Generated Secrets make the output whole; the objects are what is checked."""
STRIMZI_DEPRECATION = re.compile(r"Warning: Version v1beta2 of the Kafka\w* API is deprecated\. .*")


@dataclass(frozen=True)
class ControlPlane:
    kubeconfig: Path

    def kubectl(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**ENV, "KUBECONFIG": str(self.kubeconfig)}
        return subprocess.run([str(BIN / "kubectl"), *args], env=env, capture_output=True, text=True, timeout=300)


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    missing = [t for t in TOOLS if not (BIN / t).is_file()]
    if missing:
        pytest.skip(f"{', '.join(missing)} not in {BIN}: run `make e2e` (scripts/e2e-tools.sh builds them)")
    if not (SHARED / "crds").is_dir():
        pytest.skip(f"{SHARED / 'crds'} is missing: the CRDs the output uses come from ../shared")
    work = tmp_path_factory.mktemp("control-plane")
    subprocess.run(["openssl", "genrsa", "-out", work / "sa.key", "2048"], check=True, capture_output=True)
    subprocess.run(
        ["openssl", "rsa", "-in", work / "sa.key", "-pubout", "-out", work / "sa.pub"], check=True, capture_output=True
    )
    (work / "tokens.csv").write_text(f"{TOKEN},admin,admin,system:masters\n")
    etcd_port, peer_port, api_port = free_port(), free_port(), free_port()
    etcd_url = f"http://127.0.0.1:{etcd_port}"
    etcd = _start(
        [
            str(BIN / "etcd"),
            f"--data-dir={work / 'etcd'}",
            f"--listen-client-urls={etcd_url}",
            f"--advertise-client-urls={etcd_url}",
            f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
        ],
        work / "etcd.log",
    )
    api = _start(
        [
            str(BIN / "kube-apiserver"),
            f"--etcd-servers={etcd_url}",
            "--bind-address=127.0.0.1",
            f"--secure-port={api_port}",
            f"--cert-dir={work / 'certs'}",
            "--service-account-issuer=https://kubernetes.default.svc",
            f"--service-account-key-file={work / 'sa.pub'}",
            f"--service-account-signing-key-file={work / 'sa.key'}",
            f"--token-auth-file={work / 'tokens.csv'}",
            "--authorization-mode=RBAC",
            "--service-cluster-ip-range=10.96.0.0/16",
        ],
        work / "kube-apiserver.log",
    )
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "e2e",
        "clusters": [
            {"name": "e2e", "cluster": {"server": f"https://127.0.0.1:{api_port}", "insecure-skip-tls-verify": True}}
        ],
        "users": [{"name": "admin", "user": {"token": TOKEN}}],
        "contexts": [{"name": "e2e", "context": {"cluster": "e2e", "user": "admin"}}],
    }
    (work / "kubeconfig").write_text(json.dumps(kubeconfig))  # JSON is YAML
    plane = ControlPlane(kubeconfig=work / "kubeconfig")
    try:
        deadline = time.monotonic() + 120
        while plane.kubectl("get", "--raw=/readyz").returncode != 0:
            assert api.poll() is None and etcd.poll() is None, (work / "kube-apiserver.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "kube-apiserver not ready in 120 s"
            time.sleep(1)
        crds = plane.kubectl("apply", "--server-side", "-f", str(SHARED / "crds"))
        assert crds.returncode == 0, crds.stderr
        deadline = time.monotonic() + 120  # a CRD fresh from apply may have no status to wait on yet
        while (established := plane.kubectl("wait", "--for=condition=Established", "crd", "--all")).returncode:
            assert time.monotonic() < deadline, established.stderr
            time.sleep(1)
        yield plane
    finally:
        for process in (api, etcd):
            process.terminate()
            process.wait(timeout=30)


def synth(out: Path, *sets: str, profile: str = "default") -> Path:
    """``ros-synth`` of ``profile`` into ``out`` with ``sets`` (the CLI, as an operator runs it)."""
    sized = profile.startswith(SIZED_PREFIX)
    files = [] if profile == "default" or sized else ["-f", str(PROFILES_DIR / f"{profile}.yaml")]
    if sized:
        files = ["--set", f"profile={profile.removeprefix(SIZED_PREFIX)}"]
    flags = [flag for s in (f"secrets.seed={SEED}", *sets) for flag in ("--set", s)]
    result = ros_synth(*files, *flags, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def apply(plane: ControlPlane, directory: Path) -> subprocess.CompletedProcess[str]:
    return plane.kubectl("apply", "--server-side", "--force-conflicts", "-k", str(directory))


@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_is_accepted_as_it_is(profile: str, control_plane: ControlPlane, tmp_path: Path) -> None:
    """Each profile in a namespace of its own: every object accepted, no Pod Security warning."""
    namespace = f"e2e-{profile}"[:63]
    out = synth(tmp_path / "out", f"namespace={namespace}", profile=profile)
    result = apply(control_plane, out)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    # The CRDs of ../shared/crds are newer Strimzi's, which deprecates the v1beta2 we write for the
    # Strimzi versions the values allow; any other warning (Pod Security above all) fails.
    assert [w for w in warnings if not STRIMZI_DEPRECATION.fullmatch(w)] == [], result.stderr
    applied = [line for line in result.stdout.splitlines() if line.endswith("serverside-applied")]
    objects = sum(f.read_text().count("\nkind: ") + f.read_text().startswith("kind: ") for f in out.glob("*.k8s.yaml"))
    assert len(applied) == objects


def test_the_api_server_refuses_what_the_guard_refuses(control_plane: ControlPlane, tmp_path: Path) -> None:
    """A replica change passes both; a volume size change of the database's StatefulSet is refused
    by ``--compare-to`` (exit 3) and by the API server (its claim templates are immutable)."""
    namespace = "e2e-upgrade"
    first = synth(tmp_path / "first", f"namespace={namespace}")
    assert apply(control_plane, first).returncode == 0
    more = synth(tmp_path / "more", f"namespace={namespace}", "ros.api.replicas=3")
    guard = ros_synth(
        "--set", f"secrets.seed={SEED}", "--set", f"namespace={namespace}", "--set", "ros.api.replicas=3",
        "-o", str(tmp_path / "guarded"), "--compare-to", str(first),
    )  # fmt: skip
    assert guard.returncode == 0, guard.stderr
    assert apply(control_plane, more).returncode == 0
    bigger = ["--set", "database.internal.volume.size=50Gi"]
    guard = ros_synth(
        "--set", f"secrets.seed={SEED}", "--set", f"namespace={namespace}", *bigger,
        "-o", str(tmp_path / "refused"), "--compare-to", str(more),
    )  # fmt: skip
    assert guard.returncode == 3, guard.stdout + guard.stderr
    resized = synth(tmp_path / "resized", f"namespace={namespace}", "database.internal.volume.size=50Gi")
    result = apply(control_plane, resized)
    assert result.returncode != 0
    assert "StatefulSet" in result.stderr and "Forbidden" in result.stderr, result.stderr


def test_a_selector_change_is_refused_by_both(control_plane: ControlPlane, tmp_path: Path) -> None:
    """An output with another selector label (an older version's) stands applied; ours over it is
    refused by the guard (exit 3) and by the API server (a Deployment's selector is immutable)."""
    namespace = "e2e-selector"
    older = synth(tmp_path / "older", f"namespace={namespace}")
    chart = older / "40-cost-management.k8s.yaml"
    docs = list(yaml.safe_load_all(chart.read_text()))
    for doc in docs:
        if doc and doc["kind"] == "Deployment" and doc["metadata"]["name"] == "cost-onprem-worker-celery":
            doc["spec"]["selector"]["matchLabels"]["app"] = "worker-celery"
            doc["spec"]["template"]["metadata"]["labels"]["app"] = "worker-celery"
    chart.write_text(yaml.safe_dump_all(docs))
    assert apply(control_plane, older).returncode == 0
    guard = ros_synth(
        "--set", f"secrets.seed={SEED}", "--set", f"namespace={namespace}",
        "-o", str(tmp_path / "guarded"), "--compare-to", str(older),
    )  # fmt: skip
    assert guard.returncode == 3 and "spec.selector.matchLabels.app" in guard.stderr, guard.stderr
    result = apply(control_plane, synth(tmp_path / "ours", f"namespace={namespace}"))
    assert result.returncode != 0 and "field is immutable" in result.stderr, result.stderr


NEEDS: dict[str, set[tuple[str, str, str]]] = {
    # insights-ros-ingress builds a TokenReview client at start and checks uploaders with it.
    "cost-onprem-ingress": {("authentication.k8s.io", "tokenreviews", "create")},
    # Authorino reconciles AuthConfigs (and reports their status), reads its labelled API-key
    # Secrets through a watch, and checks service-account tokens with TokenReviews.
    "cost-onprem-authorino": {
        *{("authorino.kuadrant.io", "authconfigs", v) for v in ("get", "list", "watch")},
        *{("authorino.kuadrant.io", "authconfigs/status", v) for v in ("get", "patch", "update")},
        ("", "secrets", "list"),
        ("", "secrets", "watch"),
        ("authentication.k8s.io", "tokenreviews", "create"),
    },
}
"""What each program with a ServiceAccount does with the API: every grant is one of these."""
SELF_REVIEWS = {"selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"}
"""What every authenticated identity may create (system:basic-user): not ours to grant."""


def granted(docs: list[dict[str, Any]], account: str) -> set[tuple[str, str, str]]:
    """(apiGroup, resource, verb) the output's bindings give ``account``."""
    roles = {(o["kind"], o["metadata"]["name"]): o for o in docs if o["kind"] in ("Role", "ClusterRole")}
    found = set()
    for binding in (o for o in docs if o["kind"] in ("RoleBinding", "ClusterRoleBinding")):
        subjects = binding.get("subjects") or []
        if not any(s["kind"] == "ServiceAccount" and s["name"] == account for s in subjects):
            continue
        role = roles[(binding["roleRef"]["kind"], binding["roleRef"]["name"])]
        for rule in role.get("rules") or []:
            found |= {(g, r, v) for g in rule["apiGroups"] for r in rule["resources"] for v in rule["verbs"]}
    return found


@pytest.mark.parametrize("profile", ["ros-only", "edge-sidecars-openshift"])
def test_each_service_account_may_do_exactly_what_the_output_grants(
    profile: str, control_plane: ControlPlane, tmp_path: Path
) -> None:
    """A SelfSubjectRulesReview as each ServiceAccount of the output (the profiles that have any):
    the resource rules the API server reports are exactly what the program needs (:data:`NEEDS`),
    so every grant is used and nothing else is granted."""
    namespace = f"e2e-rbac-{profile}"[:63]
    out = synth(tmp_path / "out", f"namespace={namespace}", profile=profile)
    assert apply(control_plane, out).returncode == 0
    docs = [d for f in sorted(out.glob("*.k8s.yaml")) for d in yaml.safe_load_all(f.read_text()) if d]
    accounts = sorted(o["metadata"]["name"] for o in docs if o["kind"] == "ServiceAccount")
    assert accounts, f"{profile} has no ServiceAccount to check"
    review = tmp_path / "review.json"
    review.write_text(json.dumps({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
                                  "spec": {"namespace": namespace}}))  # fmt: skip
    for account in accounts:
        who = f"--as=system:serviceaccount:{namespace}:{account}"
        answer = control_plane.kubectl("create", who, "--validate=false", "-o", "json", "-f", str(review))
        assert answer.returncode == 0, answer.stderr
        allowed = {
            (group, resource, verb)
            for rule in json.loads(answer.stdout)["status"]["resourceRules"]
            for group in rule.get("apiGroups", [""])
            for resource in rule.get("resources", [])
            for verb in rule["verbs"]
            if resource not in SELF_REVIEWS
        }
        assert allowed == granted(docs, account) == NEEDS[account], account
