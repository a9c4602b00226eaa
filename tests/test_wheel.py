"""The wheel `python -m build` makes installs into a fresh venv and synthesizes there.

Offline and fast: the build runs without isolation (setuptools and build come with the test
extras), and the fresh venv sees the dependencies of this project's venv through a ``.pth`` path
entry, while ros_constructs itself must import from the installed wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import version
from pathlib import Path

from conftest import ROOT

from ros_constructs.app import chart_ids
from ros_constructs.tools.output import MANIFEST


def run(*args: str | Path, cwd: Path) -> str:
    env = {**os.environ, "CDK8S_CHECK_UPGRADE": "false"}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_wheel_installs_and_synthesizes_in_a_fresh_venv(tmp_path: Path) -> None:
    # sdist, then the wheel from the unpacked sdist: the sdist carries everything, nothing lands in build/
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", tmp_path / "wheels", ROOT, cwd=ROOT)
    (wheel,) = (tmp_path / "wheels").glob("ros_constructs-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ros_constructs/py.typed" in names
    lua = {f"ros_constructs/{p.relative_to(ROOT / 'ros_constructs')}" for p in (ROOT / "ros_constructs").rglob("*.lua")}
    assert lua, "the Envoy identity filter is a .lua file in the package"
    assert lua <= set(names), "package data missing from the wheel: pyproject's [tool.setuptools.package-data]"
    bindings = [p for p in (ROOT / "imports").rglob("*") if p.suffix in (".py", ".tgz")]
    assert bindings
    assert {f"ros_constructs/imports/{p.relative_to(ROOT / 'imports')}" for p in bindings} <= set(names)
    assert not [n for n in names if n.startswith("imports/")], "the CRD bindings must not install as top-level imports"

    fresh = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", fresh, cwd=tmp_path)
    python = fresh / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path).strip())
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=tmp_path)

    where = run(python, "-c", "import ros_constructs as r; print(r.__file__, r.__version__)", cwd=tmp_path).split()
    assert where == [str(site / "ros_constructs" / "__init__.py"), version("ros-constructs")]
    summary = run(fresh / "bin" / "ros-synth", "-o", tmp_path / "out", cwd=tmp_path)
    assert summary.startswith(f"synthesized {len(chart_ids())} charts, ")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [*(f"{chart}.k8s.yaml" for chart in chart_ids()), "NOTES.txt", "kustomization.yaml", MANIFEST]
    )
