"""Hostile and mistaken input at the edges of ros-synth: the output path and the values files.

Every case exits 2 with one line naming the path or file, writes nothing and leaves the user's
files as they were; a billion-laughs file fails at its first anchor, in milliseconds.
"""

from __future__ import annotations

import subprocess
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from conftest import ros_synth, tree

from ros_constructs.tools.output import MANIFEST
from ros_constructs.values import ValuesError, json_schema, load
from ros_constructs.values.loading import MAX_BYTES, MAX_DEPTH

Run = tuple[Path, subprocess.CompletedProcess[str]]
SITE = "costManagement: {api: {mode: unified}}\n"


def refused(result: subprocess.CompletedProcess[str], *named: str) -> str:
    """The one stderr line of a refusal, after checking it names each of ``named``."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert all(part in line for part in named), line
    return line


# --- the output path --------------------------------------------------------------------------


def test_a_values_file_given_as_the_output_survives(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    line = refused(ros_synth("-f", "site.yaml", "-o", "site.yaml", cwd=tmp_path), str(site), "not a folder")
    assert "nothing was written" in line
    assert tree(tmp_path) == {"site.yaml": SITE.encode()}


def test_the_working_tree_of_a_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "main.py").write_text("print('mine')\n")
    before = tree(tmp_path)
    refused(ros_synth("-o", ".", cwd=tmp_path), str(tmp_path), ".git/", "main.py")
    assert tree(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == [".git", "main.py"]


def test_a_folder_holding_a_users_patch_is_refused(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "patch.yaml").write_text("kind: Patch\n")
    refused(ros_synth("-o", "deploy", cwd=tmp_path), "deploy", "(patch.yaml)")
    assert tree(tmp_path) == {"deploy/patch.yaml": b"kind: Patch\n"}


@pytest.mark.parametrize(("path", "problem"), [("/proc/x/dist", "cannot write"), ("/", "did not write")])
def test_an_unwritable_or_foreign_system_path_is_a_clean_refusal(path: str, problem: str) -> None:
    refused(ros_synth("-o", path), f"-o {path}", problem)


def test_a_path_below_a_file_creates_nothing(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(SITE)
    refused(ros_synth("-o", str(tmp_path / "site.yaml" / "dist")), "cannot write")
    assert tree(tmp_path) == {"site.yaml": SITE.encode()} and [p.name for p in tmp_path.iterdir()] == ["site.yaml"]


def test_a_manifest_cannot_claim_files_outside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "victim.txt").write_text("keep\n")
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / MANIFEST).write_text("NOTES.txt\n../victim.txt\n")
    refused(ros_synth("-o", "dist", cwd=tmp_path), MANIFEST, "'../victim.txt'")
    assert tree(tmp_path) == {"victim.txt": b"keep\n", f"dist/{MANIFEST}": b"NOTES.txt\n../victim.txt\n"}


def test_a_manifest_cannot_lead_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "NOTES.txt").write_text("theirs\n")
    (tmp_path / "chart").mkdir()
    (tmp_path / "chart" / "templates").symlink_to(elsewhere)
    (tmp_path / "chart" / MANIFEST).write_text("templates/NOTES.txt\n")
    refused(ros_synth("--format", "helm", "-o", "chart", cwd=tmp_path), "chart", "templates")
    assert (elsewhere / "NOTES.txt").read_text() == "theirs\n"


def test_a_values_file_inside_an_earlier_output_is_kept(tmp_path: Path) -> None:
    """A chart folder of an older ros-synth (no manifest) holds a values.yaml by name; the values
    file given with -f is never counted as the chart's."""
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "templates" / "10-base.k8s.yaml").write_text("kind: Namespace\n")
    (chart / "values.yaml").write_text(SITE)
    before = tree(tmp_path)
    refused(ros_synth("-f", str(chart / "values.yaml"), "-o", str(chart)), "the values file", "values.yaml")
    assert tree(tmp_path) == before


def test_a_folder_of_names_alone_is_not_an_earlier_output(tmp_path: Path) -> None:
    """Without a manifest a folder is taken for an older ros-synth's output only with chart files
    in it: a lone NOTES.txt or values.yaml is the user's."""
    (tmp_path / "values.yaml").write_text(SITE)
    (tmp_path / "NOTES.txt").write_text("my notes\n")
    refused(ros_synth("-o", ".", cwd=tmp_path), "NOTES.txt", "values.yaml")
    assert tree(tmp_path) == {"NOTES.txt": b"my notes\n", "values.yaml": SITE.encode()}


def test_an_output_replaces_only_its_own_files(tmp_path: Path, default_run: Run) -> None:
    """An older output without a manifest (named as ros-synth names its files) is taken over and
    said so; a file the run no longer writes (a chart folder's, switching format) goes, and the
    folder itself stays (its mode kept)."""
    out = tmp_path / "dist"
    out.mkdir(mode=0o750)
    for name, text in tree(default_run[0]).items():
        if name != MANIFEST:
            (out / name).write_bytes(text)
    (out / "60-retired.k8s.yaml").write_text("kind: ConfigMap\n")
    first = ros_synth("--format", "helm", "-o", str(out))
    assert first.returncode == 0, first.stderr
    assert "replaced 9 files of an earlier ros-synth" in first.stdout
    manifest = (out / MANIFEST).read_text().splitlines()[1:]
    assert sorted(tree(out)) == sorted([MANIFEST, *manifest]) and "Chart.yaml" in manifest
    second = ros_synth("-o", str(out))
    assert second.returncode == 0 and "earlier" not in second.stdout, second.stderr
    assert tree(out) == tree(default_run[0]) and sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
    assert out.stat().st_mode & 0o777 == 0o750


def test_invalid_values_leave_no_folder_behind(tmp_path: Path) -> None:
    result = ros_synth("--set", "platform=gke", "-o", str(tmp_path / "new" / "dist"))
    assert result.returncode == 2 and "platform: 'gke'" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- loading ----------------------------------------------------------------------------------

LAUGHS = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)
"""The billion laughs: nine anchors, each nine of the one before (9**9 strings expanded)."""
DEEP_BLOCK = "".join(f"{'  ' * level}k{level}:\n" for level in range(MAX_DEPTH + 1))

LOADING_CASES: dict[str, tuple[bytes, str]] = {
    "billion laughs": (LAUGHS.encode(), ":1:4: anchors and aliases (& and *) are not allowed"),
    "an anchor alone": (b"ros:\n  api: &api {replicas: 2}\n", ":2:8: anchors and aliases"),
    "a merge key": (b"ros:\n  api:\n    <<: {replicas: 2}\n", ":3:5: merge keys (<<) are not allowed"),
    "deep flow nesting": (b"ros: " + b"[" * 100_000 + b"]" * 100_000, f": nested deeper than {MAX_DEPTH} levels"),
    "deep block nesting": (DEEP_BLOCK.encode(), f":{MAX_DEPTH + 1}:65: nested deeper than {MAX_DEPTH} levels"),
    "a duplicate top-level key": (
        b"ros: {}\ncostManagement: {}\nros: {enabled: false}\n",
        ":3:1: duplicate key 'ros' (first at line 1)",
    ),
    "a duplicate nested key": (
        b"costManagement:\n  api: {mode: unified}\n  api: {mode: split}\n",
        ":3:3: duplicate key 'api' (first at line 2)",
    ),
    "a duplicate key in one flow mapping": (b"platform: {a: 1, a: 2}\n", ":1:18: duplicate key 'a'"),
    "an oversized file": (b"# padding\n" * (MAX_BYTES // 10 + 1), ": larger than 2 MiB"),
    "not UTF-8": (b"release: cost\nnamespace: caf\xe9\n", ":2: not UTF-8 (byte 0xe9)"),
    "two documents": (b"ros: {}\n---\nros: {}\n", ":2:1: not valid YAML: expected a single document"),
    "a list at the top": (b"- ros\n", ": the top level must be a mapping, not list"),
    "an integer past Python's digit limit": (b"release: " + b"9" * 5000 + b"\n", ":1:10: cannot read '999"),
}


@pytest.mark.parametrize("content,problem", LOADING_CASES.values(), ids=list(LOADING_CASES))
def test_a_hostile_values_file_is_one_line_before_anything_is_built(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    site, out = tmp_path / "site.yaml", tmp_path / "dist"
    site.write_bytes(content)
    started = time.monotonic()
    result = ros_synth("-f", str(site), "-o", str(out))
    assert time.monotonic() - started < 60  # the billion laughs ran past 300 s (and 14 GB) when expanded
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.splitlines()[0] == "invalid values:"
    (line,) = result.stderr.splitlines()[1:]
    assert line.startswith(f"  {site}") and problem in line, line
    assert tree(tmp_path) == {"site.yaml": content}


def test_the_billion_laughs_fail_in_milliseconds_and_little_memory(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(LAUGHS)
    load()  # imports and the defaults, outside the measurement
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(ValuesError, match="anchors and aliases"):
        load([site])
    elapsed, peak = time.monotonic() - started, tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 0.5 and peak < 4 * 2**20  # reading reserves MAX_BYTES for a moment


def test_a_values_path_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "values").mkdir()
    with pytest.raises(ValuesError, match=f"^{tmp_path / 'values'}: cannot read \\(Is a directory\\)$"):
        load([tmp_path / "values"])


@pytest.mark.parametrize(
    ("assignment", "problem"),
    [
        ("ros." * 40 + "x=1", f"--set {'ros.' * 15}...: nested deeper than {MAX_DEPTH} levels"),
        ("ros.api=" + "[" * 40 + "]" * 40, f"--set ros.api: nested deeper than {MAX_DEPTH} levels"),
        ("release=&x cost", "--set release: anchors and aliases"),
        ("release=" + "x" * MAX_BYTES, "--set release: larger than 2 MiB"),
        ("platform={a: 1, a: 2}", "--set platform: duplicate key 'a'"),
    ],
    ids=["a deep path", "a deep value", "an anchor", "an oversized value", "a duplicate key"],
)
def test_set_values_are_read_under_the_same_limits(assignment: str, problem: str) -> None:
    with pytest.raises(ValuesError) as raised:
        load(sets=[assignment])
    (line,) = raised.value.problems
    assert line.startswith(problem), line


def schema_depth(schema: dict[str, Any], node: dict[str, Any], seen: frozenset[str] = frozenset()) -> int:
    """Levels of mappings and lists the deepest path of the values model declares."""
    ref = node.get("$ref", "")
    if ref:
        return 0 if ref in seen else schema_depth(schema, schema["$defs"][ref.rsplit("/", 1)[1]], seen | {ref})
    below = [*node.get("properties", {}).values(), *node.get("anyOf", []), *node.get("allOf", [])]
    below += [node[k] for k in ("items", "additionalProperties") if isinstance(node.get(k), dict)]
    nests = node.get("type") in ("object", "array") or "properties" in node
    return nests + max((schema_depth(schema, child, seen) for child in below), default=0)


def test_the_depth_limit_holds_the_model_and_a_kubernetes_affinity_under_a_worker_pool(tmp_path: Path) -> None:
    """A pod anti-affinity under a worker pool reaches 14 levels; the model's deepest path declares 10."""
    assert 8 <= schema_depth(json_schema(), json_schema()) <= MAX_DEPTH - 8
    site = tmp_path / "site.yaml"
    site.write_text(
        "costManagement: {workers: {pools: {celery: {affinity: {podAntiAffinity: "
        "{preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topologyKey: zone, "
        "labelSelector: {matchExpressions: [{key: app, operator: In, values: [koku]}]}}}]}}}}}}\n"
    )
    assert load([site]).cost_management.workers.pools["celery"].affinity is not None
