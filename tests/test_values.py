"""The values model: defaults, merging, --set, the committed schema, and clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from ros_constructs.tools.schema import render as render_schema
from ros_constructs.values import ValuesError, apply_set, deep_merge, load, parse


def problems(data: dict[str, object]) -> list[str]:
    with pytest.raises(ValuesError) as caught:
        parse(data)
    return caught.value.problems


def test_defaults_are_the_documented_contract() -> None:
    values = parse({})
    assert (values.release, values.namespace, values.platform) == ("cost-onprem", "cost-onprem", "kubernetes")
    assert values.cost_management.api.mode == "split"
    assert values.cost_management.api.reads.replicas == 3
    assert values.cost_management.api.writes.replicas == 2


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "values.schema.json").read_text()
    assert committed == render_schema(), "values.schema.json is stale: run `make schema`"


def test_files_merge_in_order_then_sets_win(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(
        "costManagement: {api: {reads: {replicas: 4, autoscaling: {enabled: false}}, writes: {replicas: 3}}}\n"
    )
    second.write_text("costManagement: {api: {reads: {replicas: 5}}}\n")
    values = load([first, second], ["costManagement.api.writes.replicas=7"])
    assert values.cost_management.api.reads.replicas == 5
    assert values.cost_management.api.writes.replicas == 7
    assert values.cost_management.api.reads.gunicorn.workers == 3  # untouched defaults survive


def test_set_parses_yaml_scalars_and_lists() -> None:
    data = apply_set({}, "images.pullSecrets=[a, b]")
    data = apply_set(data, "costManagement.api.reads.gunicorn.threads=false")
    assert data == {
        "images": {"pullSecrets": ["a", "b"]},
        "costManagement": {"api": {"reads": {"gunicorn": {"threads": False}}}},
    }
    assert deep_merge({"a": {"b": 1, "c": 2}}, {"a": {"b": 3}}) == {"a": {"b": 3, "c": 2}}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"costManagement": {"api": {"reads": {"replicas": -1}}}},
            "costManagement.api.reads.replicas: -1 is less than 0",
        ),
        ({"costManagement": {"apii": {}}}, "costManagement.apii: unknown key"),
        ({"platform": "aws"}, "platform: 'aws' is not one of 'kubernetes' or 'openshift'"),
        ({"costManagement": {"api": {"writes": {"replicas": "two"}}}}, "costManagement.api.writes.replicas: 'two'"),
        (
            {"costManagement": {"api": {"reads": {"resources": {"requests": {"memory": "lots"}}}}}},
            "costManagement.api.reads.resources.requests.memory: 'lots' is not a memory quantity",
        ),
        (
            {"costManagement": {"api": {"writes": {"resources": {"limits": {"memory": "256Mi"}}}}}},
            "costManagement.api.writes.resources: limits.memory 256Mi is below requests.memory 512Mi",
        ),
        ({"images": {"koku": {"tag": "latest"}}}, "images.koku: tag 'latest' is not reproducible"),
        ({"release": "Bad_Name"}, "release: 'Bad_Name'"),
        (
            {"costManagement": {"api": {"reads": {"resources": {"requests": {"cpu": None}}}}}},
            "costManagement.api.reads.resources.requests.cpu: None is not a cpu quantity",
        ),
        ({"images": {"koku": {"tag": "bad tag"}}}, "images.koku.tag: 'bad tag'"),
        (
            {"database": {"koku": {"existingSecret": {"keys": {"password": "bad/key"}}}}},
            "database.koku.existingSecret.keys.password: 'bad/key'",
        ),
        ({"release": "r" * 50}, "release: 'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr' is too long"),
    ],
)
def test_errors_name_the_field_and_value(data: dict[str, object], expected: str) -> None:
    assert any(expected in problem for problem in problems(data)), problems(data)


def test_every_problem_is_reported_at_once() -> None:
    found = problems(
        {
            "platform": "x",
            "costManagement": {
                "api": {"reads": {"replicas": -2}, "mode": "both"},
                "workers": {"pools": {"download-xl": {}}},
            },
        }
    )
    assert found == [
        "platform: 'x' is not one of 'kubernetes' or 'openshift'",
        "costManagement.api.mode: 'both' is not one of 'split' or 'unified'",
        "costManagement.api.reads.replicas: -2 is less than 0",
        "costManagement.workers.pools.download-xl: 'download-xl' is not one of Koku's queues "
        "(did you mean 'download_xl'?); add new queues under extraPools",
    ]


def test_numeric_tags_stay_strings() -> None:
    assert load(sets=["images.koku.tag=20240101"]).images.koku.tag == "20240101"


def test_bad_set_syntax_is_a_values_error() -> None:
    with pytest.raises(ValuesError, match="expected PATH=VALUE"):
        apply_set({}, "costManagement.api.mode")


def test_values_and_the_release_context_start_no_node() -> None:
    """A values error is reported before Node starts; the release module loads no construct runtime
    (the tiers, which make charts, come in through ``app.TIERS``)."""
    script = (
        "import sys\n"
        "from ros_constructs.release import Release\n"
        "from ros_constructs.values import load\n"
        "assert Release(values=load(sets=['secrets.seed=0123456789abcdef']), tiers=()).connections\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jsii', 'cdk8s', 'constructs')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
