"""The README's library example runs as written."""

from __future__ import annotations

import re
from typing import Any

import yaml
from conftest import ROOT


def test_library_example_builds_the_api_tier() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Use it as a library", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "no python example under 'Use it as a library'"
    scope: dict[str, Any] = {}
    exec(compile(match.group(1), "README.md", "exec"), scope)
    docs = [d for d in yaml.safe_load_all(scope["manifest"]) if d]
    deployments = [d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"]
    assert deployments == ["cost-onprem-api", "cost-onprem-api-router"]
    assert {d["metadata"]["namespace"] for d in docs} == {"finance"}
