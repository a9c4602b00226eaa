"""The ros-synth CLI and `cdk8s synth`: exit codes, messages, atomic output, determinism."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import ENV, ROOT, ros_synth, tree

import ros_constructs
from ros_constructs.app import chart_ids
from ros_constructs.tools.output import MANIFEST
from ros_constructs.tools.sizing import read_objects, sizing

Run = tuple[Path, subprocess.CompletedProcess[str]]


def test_success_prints_a_one_line_summary(default_run: Run) -> None:
    out, result = default_run
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.strip().splitlines()
    charts = out.glob("*.k8s.yaml")
    objects = sum(f.read_text().count("\nkind: ") + f.read_text().startswith("kind: ") for f in charts)
    assert line == (
        f"synthesized {len(chart_ids())} charts, {objects} objects to {out}; {sizing(read_objects(out)).summary()}; "
        "create 6 Secrets first (cost-onprem-database-admin, "
        f"cost-onprem-django, cost-onprem-koku-db, cost-onprem-kruize-db, cost-onprem-object-storage, "
        f"cost-onprem-ros-db): see {out}/NOTES.txt"
    )
    written = [*(f"{chart}.k8s.yaml" for chart in chart_ids()), "NOTES.txt", "kustomization.yaml"]
    assert sorted(tree(out)) == [MANIFEST, *written]
    assert (out / MANIFEST).read_text().splitlines()[1:] == written
    assert "kubectl -n cost-onprem create secret generic cost-onprem-koku-db" in (out / "NOTES.txt").read_text()
    assert result.stderr == ""


def test_node_has_stopped_when_ros_synth_exits(tmp_path: Path) -> None:
    """ros-synth ends without tearing Python down, but only after jsii has stopped Node: nothing
    of its process group outlives it, and jsii's stop has removed its runtime's temp folders."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    args = [sys.executable, "-m", "ros_constructs.tools.cli", "-o", str(tmp_path / "out")]
    env = {**ENV, "TMPDIR": str(scratch)}
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    assert process.wait() == 0
    assert list(scratch.iterdir()) == []
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)


def test_exit_handlers_registered_before_ros_synth_still_run(tmp_path: Path) -> None:
    """A handler registered before ``run`` (a coverage tool's, say) is not cut off by the fast exit."""
    code = (
        "import atexit, sys\n"
        "atexit.register(print, 'handler ran')\n"
        "from ros_constructs.tools.cli import run\n"
        f"run(['-o', {str(tmp_path / 'out')!r}])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "handler ran"


def test_two_synths_are_byte_identical_and_the_console_script_prints_no_node_banner(
    tmp_path: Path, openshift_run: Run
) -> None:
    """The console script in a clean environment (no Makefile variables) prints nothing on stderr
    and writes what ``python -m`` writes."""
    script = Path(sys.executable).parent / "ros-synth"
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path)), "CDK8S_CHECK_UPGRADE": "false"}
    args = [str(script), "-o", str(tmp_path / "b"), "--platform", "openshift"]
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert tree(openshift_run[0]) == tree(tmp_path / "b")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("costManagement: {api: {reads: {replicass: 2}}}", "costManagement.api.reads.replicass: unknown key"),
        ("costManagement: {api: {writes: {replicas: many}}}", "costManagement.api.writes.replicas: 'many'"),
        ("costManagement: {api: {reads: {replicas: -1}}}", "costManagement.api.reads.replicas: -1 is less than 0"),
        (
            "costManagement: {api: {reads: {resources: {requests: {cpu: 2 cores}}}}}",
            "costManagement.api.reads.resources.requests.cpu: '2 cores' is not a cpu quantity",
        ),
        ("platform: gke", "platform: 'gke' is not one of 'kubernetes' or 'openshift'"),
        ("[not, a, mapping]", "the top level must be a mapping"),
        (
            "database: {ros: {name: koku}}",
            "database.ros.name 'koku' is also database.koku.name: each service needs a database of its own",
        ),
    ],
)
def test_invalid_values_exit_2_and_leave_output_alone(
    tmp_path: Path, content: str, expected: str, default_run: Run
) -> None:
    out = tmp_path / "dist"
    shutil.copytree(default_run[0], out)
    before = tree(out)
    values = tmp_path / "values.yaml"
    values.write_text(content + "\n")
    result = ros_synth("-f", str(values), "-o", str(out))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and "jsii" not in result.stderr
    assert result.stdout == ""
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "values.yaml"]


def test_a_seed_generates_the_chart_s_own_secrets(tmp_path: Path) -> None:
    result = ros_synth("-o", str(tmp_path), "--set", "secrets.seed=an-operator-chosen-seed")
    assert result.stdout.startswith(f"synthesized {len(chart_ids())} charts, ") and "create" not in result.stdout
    notes = (tmp_path / "NOTES.txt").read_text()
    assert "name: cost-onprem-django\n" in (tmp_path / "10-base.k8s.yaml").read_text()
    assert "cost-onprem-django" not in notes and "Secret cost-onprem-sentry (optional)" in notes


def test_set_and_platform_flags(tmp_path: Path) -> None:
    result = ros_synth("-o", str(tmp_path), "--platform", "openshift", "--set", "costManagement.api.mode=unified")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "40-cost-management.k8s.yaml").read_text()
    assert "name: cost-onprem-api\n" in text and "runAsUser" not in text


@pytest.mark.skipif(
    shutil.which("npx") is None or not (ROOT / "node_modules" / ".bin" / "cdk8s").exists(),
    reason="the pinned cdk8s CLI is not installed (run `make synth` once)",
)
def test_cdk8s_synth_uses_the_same_code_path(tmp_path: Path) -> None:
    values = tmp_path / "unified.yaml"
    values.write_text("costManagement: {api: {mode: unified}}\n")
    project = tmp_path / "project"
    shutil.copytree(ROOT / "apps", project / "apps")
    shutil.copy(ROOT / "cdk8s.yaml", project)
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    (project / ".venv").symlink_to(Path(sys.prefix))
    (project / "dist").mkdir()  # `cdk8s synth` deletes it first
    # No activated venv: cdk8s.yaml runs the project's .venv/bin/python itself.
    path = os.pathsep.join(p for p in ENV["PATH"].split(os.pathsep) if Path(p) != Path(sys.executable).parent)
    env = {**ENV, "ROS_VALUES": str(values), "PATH": path}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        ["npx", "--no-install", "cdk8s", "synth"], cwd=project, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert ros_synth("-f", str(values), "-o", str(tmp_path / "direct")).returncode == 0
    assert tree(project / "dist") == tree(tmp_path / "direct")


def test_values_errors_name_the_file_or_set_that_set_the_key(tmp_path: Path) -> None:
    site, prod = tmp_path / "site.yaml", tmp_path / "prod.yaml"
    site.write_text("costManagement: {api: {mode: x, reads: {replicas: -1}}}\n")
    prod.write_text("costManagement: {api: {mode: split, writes: {replicas: -2}}}\n")
    result = ros_synth("-f", str(site), "-f", str(prod), "--set", "costManagement.api.mode=y", "-o", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines()[1:] == [
        "  costManagement.api.mode: 'y' is not one of 'split' or 'unified' (from --set)",
        f"  costManagement.api.reads.replicas: -1 is less than 0 (from {site})",
        f"  costManagement.api.writes.replicas: -2 is less than 0 (from {prod})",
    ]


def test_a_yaml_syntax_error_names_the_file_line_and_column(tmp_path: Path) -> None:
    values = tmp_path / "site.yaml"
    values.write_text("costManagement:\n  api:\n    mode: [unified\n")
    result = ros_synth("-f", str(values), "-o", str(tmp_path / "dist"))
    assert result.returncode == 2
    assert result.stderr.splitlines()[1].startswith(f"  {values}:4:1: not valid YAML: while parsing a flow sequence")
    assert "<unicode string>" not in result.stderr


def test_version_comes_from_the_package_metadata() -> None:
    result = ros_synth("--version")
    assert result.stdout == f"ros-synth {version('ros-constructs')}\n"
    assert ros_constructs.__version__ == version("ros-constructs")


def test_notes_suggest_random_values_only_for_the_release_s_own_credentials(tmp_path: Path) -> None:
    clouds = ("costManagement.cloudCredentials.aws.enabled=true", "costManagement.cloudCredentials.gcp.enabled=true")
    assert ros_synth("-o", str(tmp_path), *(a for s in clouds for a in ("--set", s))).returncode == 0
    commands = {
        line.split()[6]: line
        for line in (tmp_path / "NOTES.txt").read_text().splitlines()
        if "create secret generic" in line
    }
    for provided in ("cost-onprem-sentry", "cost-onprem-aws", "cost-onprem-gcp"):
        assert "openssl" not in commands[provided] and "<from its provider>" not in commands[provided]
    assert "--from-literal=dsn=<DSN from your Sentry project's Client Keys settings>" in commands["cost-onprem-sentry"]
    assert "--from-file=gcp-credentials=<path to the JSON key of a Google Cloud" in commands["cost-onprem-gcp"]
    assert "--from-file=aws-credentials=<path to an AWS shared credentials file" in commands["cost-onprem-aws"]
    assert "--from-literal=django-secret-key=$(openssl rand -hex 32)" in commands["cost-onprem-django"]
