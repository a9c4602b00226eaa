"""Measure synthesis speed: ``python scripts/bench.py [--repeat N]``.

Prints, per test profile, the median in-process time to load values, build the app and render
YAML, and the median wall time of a fresh ``ros-synth`` process. Measures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "tests" / "profiles"


def in_process(files: list[Path], repeat: int) -> float:
    from ros_constructs.app import build_app
    from ros_constructs.release import Release
    from ros_constructs.values import load

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        build_app(Release(values=load(files))).synth_yaml()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_process(files: list[Path], repeat: int) -> float:
    times = []
    args = [arg for f in files for arg in ("-f", str(f))]
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "ros_constructs.tools.cli", *args, "-o", out], check=True, capture_output=True
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    print(f"{'profile':<18} {'in-process (s)':>15} {'ros-synth (s)':>14}")
    for name, files in [("default", []), *((p.stem, [p]) for p in sorted(PROFILES.glob("*.yaml")))]:
        print(f"{name:<18} {in_process(files, repeat):>15.3f} {fresh_process(files, repeat):>14.3f}")


if __name__ == "__main__":
    main()
