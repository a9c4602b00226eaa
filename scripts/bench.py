"""Measure synthesis speed against the cdk8s floor: ``make bench`` or ``python scripts/bench.py``.

Every case runs in fresh processes (``--repeat`` each, default 5), the way an operator runs
``ros-synth``: the floor (an empty cdk8s app writing its output, i.e. Python, Node and jsii
start-up), the default deployment, each sized profile (``--profile``), every values file in
``tests/profiles/`` and ``tests/matrix/``, and the defaults plus fleets of 10, 50 and 200 extra
worker pools. Rounds run every case once each, so a slower spell of the machine weighs on all
cases alike. It prints the median wall time, the spread (min-max as a share of the median), the
ratio to the floor and the peak resident memory of the largest process (Python or its Node
child), then the slope per extra pool and how straight the fleet line is. Measures only;
asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ros_constructs.values.profiles import PROFILES

ROOT = Path(__file__).resolve().parent.parent
VALUES_DIRS = (ROOT / "tests" / "profiles", ROOT / "tests" / "matrix")
FLEETS = (10, 50, 200)
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    "CDK8S_CHECK_UPGRADE": "false",
}
"""As an operator runs it: bytecode cached (the first, unmeasured run of each case writes it)."""

EMPTY_APP = """
import sys, cdk8s
app = cdk8s.App(outdir=sys.argv[1])
cdk8s.Chart(app, "empty")
app.synth()
"""


@dataclass(frozen=True)
class Case:
    name: str
    argv: list[str]
    """Arguments after the interpreter; ``{out}`` is replaced by a fresh output directory."""
    pools: int | None = None


@dataclass(frozen=True)
class Result:
    case: Case
    median: float
    spread: float
    peak_mib: float


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, largest process of the tree) of one fresh process."""
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryFile() as errors:
        args = [sys.executable, *(a.replace("{out}", f"{out}/dist") for a in argv)]
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=ENV, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            errors.seek(0)
            raise SystemExit(f"{' '.join(args)} failed:\n{errors.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def measure(found: list[Case], repeat: int) -> list[Result]:
    """``repeat`` rounds over every case, after one unmeasured round (bytecode, the page cache)."""
    runs: dict[str, list[tuple[float, float]]] = {case.name: [] for case in found}
    for index in range(repeat + 1):
        for case in found:
            run = run_once(case.argv)
            if index:
                runs[case.name].append(run)
        print(f"round {index}/{repeat} done", file=sys.stderr, flush=True)
    results = []
    for case in found:
        times = [t for t, _ in runs[case.name]]
        median = statistics.median(times)
        spread = (max(times) - min(times)) / median
        results.append(Result(case, median, spread, max(m for _, m in runs[case.name])))
    return results


def fleet_file(pools: int, directory: Path) -> Path:
    path = directory / f"fleet-{pools}.yaml"
    lines = ["costManagement:", "  workers:", "    extraPools:"]
    lines += [f"      fleet_{i:03d}: {{}}" for i in range(pools)]
    path.write_text("\n".join(lines) + "\n")
    return path


def cases(scratch: Path) -> list[Case]:
    synth = ["-m", "ros_constructs.tools.cli", "-o", "{out}"]
    found = [Case("floor (empty cdk8s app)", ["-c", EMPTY_APP, "{out}"]), Case("default", synth, pools=0)]
    found += [Case(f"--profile {name}", [*synth, "--profile", name]) for name in PROFILES]
    for directory in VALUES_DIRS:
        for path in sorted(directory.glob("*.yaml")):
            found.append(Case(f"{directory.name}/{path.stem}", [*synth, "-f", str(path)]))
    found += [Case(f"default + {n} pools", [*synth, "-f", str(fleet_file(n, scratch))], pools=n) for n in FLEETS]
    return found


def slope_and_fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares seconds per pool and R² of the straight line through ``(pools, seconds)``."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    residual = sum((y - (my + slope * (x - mx))) ** 2 for x, y in points)
    total = sum((y - my) ** 2 for y in ys)
    return slope, 1 - residual / total if total else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per case (default 5)")
    repeat = parser.parse_args().repeat
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {repeat} fresh processes per case")
    print(f"{'case':<34} {'median s':>9} {'spread':>7} {'x floor':>8} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as scratch:
        results = measure(cases(Path(scratch)), repeat)
    floor = results[0].median
    for r in results:
        ratio = r.median / floor
        print(f"{r.case.name:<34} {r.median:>9.2f} {r.spread:>6.0%} {ratio:>8.2f} {r.peak_mib:>9.0f}")
    fleet = [(r.case.pools, r.median) for r in results if r.case.pools is not None]
    slope, r2 = slope_and_fit(fleet)
    print(f"per extra pool: {slope * 1000:.1f} ms (least squares over {[n for n, _ in fleet]} pools, R² {r2:.4f})")


if __name__ == "__main__":
    main()
