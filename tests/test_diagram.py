"""The topology picture: its arrows follow what the charts built, the Mermaid is well formed, the
SVG holds every label, and the README's copy and docs/topology.svg match the default output."""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import PROFILES_DIR, ROOT

from ros_constructs.app import build_app, new_release
from ros_constructs.tools import cli, diagram
from ros_constructs.tools.diagram import MERMAID_FILE, SVG_FILE, Topology, diagram_files, topology
from ros_constructs.values import load

needs_viz = pytest.mark.skipif(
    not (ROOT / "node_modules" / "@viz-js" / "viz").is_dir(),
    reason="the npm package @viz-js/viz is not installed (run `npm ci`); the SVG cannot be rendered",
)


@functools.cache
def built(*args: str) -> tuple[Topology, dict[str, str]]:
    """The topology and its files for values files and ``--set`` pairs (``k=v`` args)."""
    files = [Path(a) for a in args if "=" not in a]
    release = new_release(load(files, [a for a in args if "=" in a]))
    app = build_app(release)
    return topology(app, release), diagram_files(app, release)


def test_default_paths() -> None:
    topo, _ = built()
    expected = {
        ("c_api_router", "c_api_reads"),
        ("c_api_router", "c_api_writes"),
        ("c_api_router", "c_rosocp_api"),
        # every worker family reaches the broker, the database and the bucket: one arrow each
        ("g_workers_40_cost_management", "c_redis"),
        ("g_workers_40_cost_management", "c_database"),
        ("g_workers_40_cost_management", "c_minio"),
        ("c_listener", "t_hccm_ros_events"),
        ("c_ingress", "t_platform_upload_announce"),
        ("t_platform_upload_announce", "c_listener"),
        ("t_hccm_ros_events", "c_rosocp_processor"),
        ("c_rosocp_processor", "t_rosocp_kruize_recommendations"),
        ("t_rosocp_kruize_recommendations", "c_rosocp_recommendation_poller"),
        ("c_rosocp_processor", "c_kruize"),
        ("c_rosocp_housekeeper", "c_api_reads"),  # on-prem Koku is the sources API
        ("c_api_writes", "t_platform_sources_event_stream"),
        ("t_platform_sources_event_stream", "c_rosocp_housekeeper"),
    }
    assert expected <= topo.edges
    assert not {e for e in topo.edges if e[0].startswith("w_")} - {
        ("w_subs_transmission", "t_platform_rhsm_subscriptions_service_instance_ingress")
    }, "a worker family's shared paths are drawn from the group"
    assert ("c_api_router", "c_database") not in topo.edges
    assert not any(n.shape == "door" for n in topo.nodes.values()), "nothing is exposed by default"


def test_worker_pools_collapse_into_families() -> None:
    topo, _ = built()
    workers = {n.id: n.lines for n in topo.nodes.values() if n.id.startswith("w_")}
    assert len(workers) == 10
    assert workers["w_download"] == ("download workers", "download, download-penalty, download-xl")
    assert workers["w_subs_extraction"] == ("subs_extraction workers", "subs-extraction")
    assert workers["w_subs_transmission"] == ("subs_transmission workers", "subs-transmission (0 replicas)")
    assert topo.nodes["c_celery_beat"].group == "g_40_cost_management", "beat names queues but consumes none"


def test_edge_gateway_profile_draws_the_front_door() -> None:
    topo, _ = built(str(PROFILES_DIR / "edge-gateway.yaml"))
    assert topo.nodes["e_Ingress"].lines == ("Ingress", "cost-onprem-edge")
    assert {("e_Ingress", "c_gateway"), ("c_gateway", "c_api_router"), ("c_gateway", "c_rosocp_api")} <= topo.edges
    assert ("c_gateway", "c_ingress") in topo.edges, "the upload ingress is behind the gateway"
    idp = [n for n in topo.nodes.values() if n.lines[0] == "identity provider"]
    assert idp and (("c_gateway", idp[0].id) in topo.edges)


def test_ros_off_removes_the_ros_nodes() -> None:
    topo, files = built("ros.enabled=false")
    assert "g_50_ros" not in topo.groups
    assert not [n for n in topo.nodes if "rosocp" in n or n in ("c_kruize", "c_sources_api")]
    assert topo.nodes["c_ingress"].group == "g_40_cost_management", "Cost Management's upload service stays"
    assert "t_rosocp_kruize_recommendations" not in topo.nodes
    assert "rosocp" not in files[MERMAID_FILE]
    assert ("c_api_router", "c_api_writes") in topo.edges


NODE = re.compile(r'^\s*(\w+)(\[\(|\(\[|\{\{|\[|>)"[^"]*"(\)\]|\]\)|\}\}|\])$')
SUBGRAPH = re.compile(r"^\s*subgraph (\w+) \[[^\]]+\]$")
EDGE = re.compile(r"^\s*(\w+) --> (\w+)$")


@pytest.mark.parametrize("args", [(), (str(PROFILES_DIR / "edge-gateway.yaml"),), ("ros.enabled=false",)])
def test_mermaid_parses_structurally(args: tuple[str, ...]) -> None:
    lines = built(*args)[1][MERMAID_FILE].splitlines()
    assert lines[0] == "flowchart LR"
    declared, depth, edges = set(), 0, []
    for line in lines[1:]:
        if m := SUBGRAPH.match(line):
            declared.add(m.group(1))
            depth += 1
        elif line.strip() == "end":
            depth -= 1
            assert depth >= 0, "end without subgraph"
        elif m := NODE.match(line):
            assert m.group(1) not in declared, f"{m.group(1)} declared twice"
            declared.add(m.group(1))
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
        else:
            pytest.fail(f"unparsed Mermaid line: {line!r}")
    assert depth == 0
    assert edges
    undeclared = {end for edge in edges for end in edge} - declared
    assert not undeclared


@needs_viz
@pytest.mark.parametrize("args", [(), (str(PROFILES_DIR / "edge-gateway.yaml"),)])
def test_svg_is_xml_with_every_label(args: tuple[str, ...]) -> None:
    topo, files = built(*args)
    root = ET.fromstring(files[SVG_FILE])
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    labels = {line for n in topo.nodes.values() for line in n.lines} | {g.label for g in topo.groups.values()}
    assert labels - texts == set()


@needs_viz
def test_same_values_same_bytes() -> None:
    release = new_release(load([], []))
    assert diagram_files(build_app(release), release) == built()[1]


@needs_viz
def test_readme_and_docs_svg_match_the_default_output() -> None:
    files = built()[1]
    readme = (ROOT / "README.md").read_text()
    assert diagram.readme_block(files[MERMAID_FILE]) in readme, "README topology is stale: run `make diagram`"
    assert (ROOT / "docs" / SVG_FILE).read_text() == files[SVG_FILE], "docs/topology.svg is stale: `make diagram`"


@needs_viz
def test_cli_writes_the_diagram_into_the_output(tmp_path: Path) -> None:
    assert cli.main(["-o", str(tmp_path / "out"), "--diagram"]) == 0
    assert (tmp_path / "out" / MERMAID_FILE).read_text() == built()[1][MERMAID_FILE]
    assert (tmp_path / "out" / SVG_FILE).read_text().startswith("<?xml")


def test_cli_without_node_leaves_the_output_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "10-kept.k8s.yaml").write_text("kept\n")  # an earlier output's
    monkeypatch.setattr("ros_constructs.tools.diagram.shutil.which", lambda _: None)
    assert cli.main(["-o", str(out), "--diagram"]) == cli.EXIT_DIAGRAM_ERROR
    assert "diagram: node is not on PATH" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert [p.name for p in out.iterdir()] == ["10-kept.k8s.yaml"]
