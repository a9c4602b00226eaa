"""The README's library example runs as written and yields a complete deployment."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from typing import Any

import yaml
from conftest import ROOT
from dangling import dangling

import ros_constructs


def run_library_example() -> dict[str, Any]:
    """Execute the python block under "Use it as a library"; return the names it defines."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Use it as a library", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "no python example under 'Use it as a library'"
    scope: dict[str, Any] = {}
    exec(compile(match.group(1), "README.md", "exec"), scope)
    return scope


def test_library_example_yields_a_complete_deployment_in_the_team_s_namespace() -> None:
    scope = run_library_example()
    docs = [d for d in yaml.safe_load_all(scope["manifest"]) if d]
    notes: str = scope["notes"]
    deployments = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
    assert {"cost-onprem-api", "cost-onprem-api-router", "cost-onprem-rosocp-api"} <= deployments
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} <= {"finance", None}
    assert "Namespace" in {d["kind"] for d in docs}
    assert "kubectl -n finance create secret generic cost-onprem-koku-db" in notes
    assert dangling(docs, notes, "finance") == []


def written_docstring(exported: Any) -> str | None:
    """The docstring in the source of a class or function; ``__doc__`` would not do, since a dataclass
    without one gets its signature as ``__doc__``."""
    definition = ast.parse(textwrap.dedent(inspect.getsource(exported))).body[0]
    assert isinstance(definition, ast.ClassDef | ast.FunctionDef)
    return ast.get_docstring(definition)


def test_the_public_api_resolves_every_exported_name_with_a_docstring() -> None:
    assert set(ros_constructs.__all__) == {"__version__", *ros_constructs._EXPORTS}
    exported = {name: getattr(ros_constructs, name) for name in ros_constructs._EXPORTS}
    assert [name for name, obj in exported.items() if callable(obj) and not written_docstring(obj)] == []
