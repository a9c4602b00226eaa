"""Hostile values against generated commands, ``extraEnv`` and generated Secrets (issue 23, items 4 and 6).

Each generated shell script runs in the shell its image uses, with hostile values in the env and
stub programs on ``PATH`` that record their argv: nothing a value holds is executed, and every
program gets the values verbatim.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import container_env, render, ros_synth

from ros_constructs.core.secrets import derive
from ros_constructs.data.object_storage import bucket_script
from ros_constructs.ros.clowder import RENDER_SCRIPT
from ros_constructs.values import ValuesError, load

HOSTILE = [
    "$(touch pwned)",
    "`touch pwned`",
    "x; touch pwned",
    "*",
    "two words",
    "line\nbreak; touch pwned",
    "'\"quotes\"'",
    "${IFS}touch${IFS}pwned",
    "-Q",
]
"""Command substitution, backticks, a separator, a glob, spaces, a newline, quotes, IFS tricks, an option."""

STUBS = ("celery", "python", "mc", "touch", "id", "sh", "bash")


RECORD = 'printf "%s\\0" {name} "{args}" >> "{log}"\nprintf "\\n" >> "{log}"\n'
"""A stub's body: its name and argv, NUL-separated, then a record end."""


def stub_bin(tmp_path: Path) -> Path:
    """A PATH directory whose programs append their argv (one record per call) to ``calls``."""
    bin_dir = tmp_path / "bin"
    if not bin_dir.exists():
        bin_dir.mkdir()
        for name in STUBS:
            stub = bin_dir / name
            stub.write_text("#!/bin/bash\n" + RECORD.format(name=name, args="$@", log=tmp_path / "calls"))
            stub.chmod(0o755)
        (bin_dir / "mv").symlink_to(shutil.which("mv") or "/bin/mv")
    return bin_dir


def calls(tmp_path: Path) -> list[list[str]]:
    log = tmp_path / "calls"
    if not log.exists():
        return []
    return [record.rstrip("\0").split("\0") for record in log.read_text().split("\0\n") if record]


def run(shell: str, script: str, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``script`` under ``shell -c`` in ``tmp_path`` (where a glob would find ``decoy-file``) with only ``env``."""
    (tmp_path / "decoy-file").write_text("")
    full_env = {"PATH": str(stub_bin(tmp_path)), **env}
    return subprocess.run(
        [shell, "-c", script], cwd=tmp_path, env=full_env, capture_output=True, text=True, timeout=30, check=False
    )


def main_container(docs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    obj = next(o for o in docs if o["metadata"]["name"].startswith(name) and o["kind"] in ("Deployment", "Job"))
    container: dict[str, Any] = obj["spec"]["template"]["spec"]["containers"][0]
    return container


@pytest.fixture(scope="module")
def default_docs() -> list[dict[str, Any]]:
    return [o for chart in render(load()).values() for o in chart]


@pytest.mark.parametrize("value", HOSTILE)
def test_worker_command_passes_queues_and_level_verbatim(
    value: str, tmp_path: Path, default_docs: list[dict[str, Any]]
) -> None:
    command = main_container(default_docs, "cost-onprem-worker-celery")["command"]
    assert command[:2] == ["/bin/bash", "-c"]
    result = run(
        "/bin/bash", command[2], tmp_path, {"WORKER_QUEUES": value, "CELERY_LOG_LEVEL": value, "APP_HOME": value}
    )
    assert result.returncode == 0, result.stderr
    ((program, *argv),) = calls(tmp_path)
    assert program == "celery"
    assert argv[argv.index("-l") + 1] == value and argv[argv.index("-l") + 3] == value
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("value", HOSTILE[:4])
def test_beat_command_passes_the_level_verbatim(value: str, tmp_path: Path, default_docs: list[dict[str, Any]]) -> None:
    command = main_container(default_docs, "cost-onprem-celery-beat")["command"]
    result = run("/bin/bash", command[2], tmp_path, {"CELERY_LOG_LEVEL": value, "APP_HOME": value})
    assert result.returncode == 0, result.stderr
    ((program, *argv),) = calls(tmp_path)
    assert program == "celery" and argv[argv.index("-l") + 1] == value


def test_migrations_treat_app_root_as_a_path(tmp_path: Path, default_docs: list[dict[str, Any]]) -> None:
    """The issue's ``APP_ROOT="/bin/sh -c id #"`` ran ``id``; quoted, it is a path that does not exist."""
    command = main_container(default_docs, "cost-onprem-db-migrate")["command"]
    result = run("/bin/bash", command[2], tmp_path, {"APP_ROOT": "/bin/sh -c id #"})
    assert result.returncode == 127 and calls(tmp_path) == []
    root = tmp_path / "odd root $(touch pwned)"
    (root / "scripts").mkdir(parents=True)
    script = root / "scripts" / "run_migrations.sh"
    script.write_text("#!/bin/bash\n" + RECORD.format(name="migrations", args="$0", log=tmp_path / "calls"))
    script.chmod(0o755)
    result = run("/bin/bash", command[2], tmp_path, {"APP_ROOT": str(root)})
    assert result.returncode == 0, result.stderr
    assert calls(tmp_path) == [["migrations", str(script)]] and not (tmp_path / "pwned").exists()


def test_koku_services_run_without_a_shell(default_docs: list[dict[str, Any]]) -> None:
    assert main_container(default_docs, "cost-onprem-listener")["command"] == ["python", "koku/manage.py", "listener"]


@pytest.mark.parametrize("shell", ["/bin/bash", "/usr/bin/dash"])
def test_clowder_config_holds_hostile_values_as_json_strings(shell: str, tmp_path: Path) -> None:
    config = tmp_path / "cdappconfig.json"
    hostile = '$(touch pwned)`touch pwned`; "x" \\ *\n\ttab'
    env = {
        "ACG_CONFIG": str(config),
        "TOPICS": "hccm.ros.events *",
        "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092,other:9093",
        "KAFKA_SASL_MECHANISM": hostile,
        "KAFKA_SECURITY_PROTOCOL": hostile,
        "KAFKA_SASL_USERNAME": hostile,
        "KAFKA_SASL_PASSWORD": hostile,
        **{k: hostile for k in ("DB_HOST", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_SSL")},
        "DB_PORT": "5432",
    }
    result = run(shell, RENDER_SCRIPT, tmp_path, env)
    assert result.returncode == 0, result.stderr
    data = json.loads(config.read_text())
    assert data["database"]["password"] == hostile and data["database"]["port"] == 5432
    assert data["kafka"]["brokers"][0]["sasl"]["saslMechanism"] == hostile
    assert [t["name"] for t in data["kafka"]["topics"]] == ["hccm.ros.events", "*"]
    assert calls(tmp_path) == [] and not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("port", ["5432 }", "1$(touch pwned)", ""])
def test_clowder_config_refuses_a_port_that_is_not_a_number(port: str, tmp_path: Path) -> None:
    env = {"ACG_CONFIG": str(tmp_path / "c.json"), "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092", "DB_PORT": port}
    result = run("/usr/bin/dash", RENDER_SCRIPT, tmp_path, env)
    assert result.returncode == 1 and "not a number" in result.stderr
    assert not (tmp_path / "c.json").exists() and not (tmp_path / "pwned").exists()


def test_bucket_script_passes_names_verbatim(tmp_path: Path) -> None:
    """The keys reach mc only through ``MC_HOST_store`` (the kubelet composes it), never the script."""
    names = {"koku": "a;touch pwned$(touch pwned)", "ros": "b `touch pwned` *"}
    script = bucket_script(names, {"ros"})
    keys = {"ACCESS_KEY": "access-7f3a", "SECRET_KEY": "secret-9c1e"}
    result = run("/usr/bin/dash", script, tmp_path, keys)
    assert result.returncode == 0, result.stderr
    made = [c for c in calls(tmp_path) if c[3:5] == ["mb", "--ignore-existing"]]
    assert [c[-1] for c in made] == [f"store/{names['koku']}", f"store/{names['ros']}"]
    assert not any(key in arg for c in calls(tmp_path) for arg in c for key in keys.values())
    assert all(c[0] == "mc" for c in calls(tmp_path)) and not (tmp_path / "pwned").exists()


def unquoted_expansions(script: str) -> list[str]:
    """The ``$`` expansions of a shell script that stand outside double quotes (single quotes make ``$`` literal)."""
    found, quote = [], ""
    for index, char in enumerate(script):
        if char in "'\"" and quote in ("", char):
            quote = "" if quote else char
        elif char == "$" and quote == "" and re.match(r"[{(A-Za-z_]", script[index + 1 : index + 2]):
            found.append(script[index : index + 20])
    return found


def test_no_generated_command_expands_a_variable_unquoted(default_docs: list[dict[str, Any]]) -> None:
    scripts = [
        command[2]
        for o in default_docs
        for c in o.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
        if (command := c.get("command") or [])[:2] in (["/bin/bash", "-c"], ["sh", "-c"], ["/bin/sh", "-c"])
    ]
    assert len(scripts) > 20
    assert [u for script in scripts for u in unquoted_expansions(script)] == []
    assert unquoted_expansions("exec celery -Q $WORKER_QUEUES") == ["$WORKER_QUEUES"]


@pytest.mark.parametrize(
    ("sets", "replaced"),
    [
        ("costManagement.extraEnv=[{name: APP_ROOT_X, value: ok}, {name: WORKER_QUEUES, value: '* ocp'}]", "spec"),
        (
            "costManagement.workers.pools.ocp.extraEnv=[{name: DATABASE_PASSWORD, secretKeyRef: {name: a, key: b}}]",
            "Secret cost-onprem-koku-db key password",
        ),
        ("ros.processor.extraEnv=[{name: DB_HOST, value: evil}]", "a value the release sets"),
        ("costManagement.api.reads.extraEnv=[{name: ONPREM, value: x}]", "ConfigMap cost-onprem-koku-env"),
    ],
)
def test_extra_env_cannot_replace_generated_variables(sets: str, replaced: str) -> None:
    with pytest.raises(ValuesError, match=re.escape(replaced)) as err:
        render(load(sets=[sets]))
    assert str(err.value).startswith(sets.split("=", 1)[0] + ".")


@pytest.mark.parametrize("value", ["/x $(id)", "/hunter2", "/etc/../shadow", "/etc/key;id", "/a/b\n"])
def test_secret_looking_literals_must_be_plain_file_paths(value: str) -> None:
    with pytest.raises(ValuesError, match="looks secret"):
        load(sets=[], overrides={"costManagement": {"extraEnv": [{"name": "AWS_SECRET_ACCESS_KEY", "value": value}]}})


def test_a_file_path_is_a_fine_literal_for_a_secret_looking_name() -> None:
    extra = {"name": "GOOGLE_APPLICATION_CREDENTIALS", "value": "/etc/gcp/key.json"}
    assert (
        load(overrides={"costManagement": {"extraEnv": [extra]}}).cost_management.extra_env[0].value == extra["value"]
    )


@pytest.mark.parametrize(
    "seed", ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababababab", "short-seed", "0123456789abcde"]
)
def test_weak_seeds_are_refused_without_being_echoed(seed: str) -> None:
    with pytest.raises(ValuesError, match=r"^secrets\.seed: too weak") as err:
        load(overrides={"secrets": {"seed": seed}})
    assert seed not in str(err.value)


def test_a_non_string_seed_is_not_echoed() -> None:
    with pytest.raises(ValuesError, match=r"^secrets\.seed: must be a string") as err:
        load(overrides={"secrets": {"seed": 1234567890123456789012345}})
    assert "1234567890123456789012345" not in str(err.value)


def test_derivation_depends_on_namespace_release_secret_and_key() -> None:
    base = {"namespace": "a", "release": "r", "secret": "s", "key": "k"}
    seen = {derive("seed-0123456789abcdef", **base)}
    for field in base:
        seen.add(derive("seed-0123456789abcdef", **{**base, field: "other"}))
    assert len(seen) == 5 and all(re.fullmatch(r"[0-9a-f]{64}", v) for v in seen)


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["database.ros.existingSecret.name=cost-onprem-koku-db"], "the Secret the release names for database.koku"),
        (["database.ros.existingSecret.name=cost-onprem-django"], "names for costManagement.djangoSecretKey"),
        (
            ["database.ros.existingSecret.name=shared", "database.kruize.existingSecret.name=shared"],
            "key 'password' of Secret 'shared' already holds database.",
        ),
    ],
)
def test_existing_secret_collisions_are_refused(sets: list[str], message: str) -> None:
    with pytest.raises(ValuesError, match=re.escape(message)):
        render(load(sets=sets))


def test_one_user_secret_may_hold_two_credentials_under_different_keys() -> None:
    sets = [
        "database.ros.existingSecret.name=shared",
        "database.kruize.existingSecret.name=shared",
        "database.kruize.existingSecret.keys={username: kruize-user, password: kruize-password}",
    ]
    docs = [o for chart in render(load(sets=sets)).values() for o in chart]
    kruize = next(o for o in docs if o["metadata"]["name"] == "cost-onprem-kruize" and o["kind"] == "Deployment")
    env = container_env(kruize, docs)
    assert {"secretKeyRef": {"name": "shared", "key": "kruize-password"}} in env.values()


def pod_annotations(values: Any) -> dict[str, dict[str, str]]:
    """Pod-template annotations by object name (Jobs carry a spec hash in their name)."""
    return {
        re.sub(r"-[0-9a-f]{10}$", "", o["metadata"]["name"]): o["spec"]["template"]["metadata"].get("annotations", {})
        for chart in render(values).values()
        for o in chart
        if o["kind"] in ("Deployment", "StatefulSet", "Job")
    }


def test_a_generation_bump_rolls_the_pods_reading_generated_secrets_and_nothing_secret_is_published() -> None:
    seed = "rollout-seed-0123456789abcdef"
    first = pod_annotations(load(sets=[f"secrets.seed={seed}"]))
    bumped = pod_annotations(load(sets=[f"secrets.seed={seed}", "secrets.generation=1"]))
    rolled = {name for name in first if first[name].get("checksum/secrets") != bumped[name].get("checksum/secrets")}
    assert {"cost-onprem-api-writes", "cost-onprem-database-ensure", "cost-onprem-db-migrate"} <= rolled
    assert "cost-onprem-api-router" not in rolled
    reseeded = pod_annotations(load(sets=["secrets.seed=another-seed-0123456789abcdef"]))
    assert reseeded == first, "a secret-derived value reached a pod annotation"


def test_no_seed_reaches_output_or_errors(tmp_path: Path) -> None:
    seed = "never-published-seed-0123456789"
    result = ros_synth("-o", str(tmp_path / "dist"), "--set", f"secrets.seed={seed}")
    assert result.returncode == 0, result.stderr
    assert all(seed not in p.read_text() for p in (tmp_path / "dist").rglob("*") if p.is_file())
    weak = ros_synth("-o", str(tmp_path / "weak"), "--set", "secrets.seed=aaaaaaaaaaaaaaaaaaaa")
    assert weak.returncode == 2 and "aaaaaaaaaaaaaaaaaaaa" not in weak.stderr + weak.stdout
