"""``ros-synth``: values files and ``--set`` overrides in, ``dist/`` out.

``cdk8s synth`` runs ``apps/main.py``, which calls :func:`run` too, so both share this path.
Output is staged and moved in only when complete, replacing only ros-synth's own files
(:mod:`.output`): a failed run leaves the previous ``dist/`` as it was. NOTES.txt and the
summary come from what the built pods reference and the output lacks (the release's reference
registry); the counts and sizing from the App's inventory of what it made. Node boots in the
background while the values are read (``scripts/bench.py`` measures the whole against an empty
cdk8s app).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import functools
import gc
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from .compare import Comparison

EXIT_VALUES_ERROR = 2
EXIT_DIAGRAM_ERROR = 1
EXIT_UPGRADE_REFUSED = 3
"""``--compare-to`` found a change Kubernetes refuses to apply in place; nothing was written."""
NOTES = "NOTES.txt"
"""Written next to the manifests: what to create first (kustomize reads only the files it lists)."""


def _parser() -> argparse.ArgumentParser:
    from ..values.profiles import PROFILES

    parser = argparse.ArgumentParser(prog="ros-synth", description="Synthesize ROS + Cost Management manifests.")
    parser.add_argument(
        "-f",
        "--values",
        dest="files",
        action="append",
        default=[],
        type=Path,
        help="values file; repeat to deep-merge in order",
    )
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override one value, e.g. costManagement.api.mode=unified",
    )
    parser.add_argument("-o", "--output", type=Path, default=Path("dist"), help="output directory (default dist)")
    parser.add_argument("--platform", choices=["kubernetes", "openshift"], help="shorthand for --set platform=...")
    parser.add_argument(
        "--sizing", action="store_true", help="also print pods, cpu and memory per component (output still written)"
    )
    parser.add_argument(
        "--diagram",
        action="store_true",
        help="also write the topology picture into the output directory: topology.mmd (Mermaid) and "
        "topology.svg (Graphviz via the npm package @viz-js/viz, installed by make synth)",
    )
    parser.add_argument(
        "--profile", metavar="NAME", help=f"sized overlay under your values ({', '.join(PROFILES)}); --set profile=..."
    )
    parser.add_argument(
        "--format",
        dest="output_format",
        choices=["yaml", "helm"],
        default="yaml",
        help="yaml: one file per chart (default); helm: a Helm chart directory that renders the same objects",
    )
    parser.add_argument(
        "--compare-to",
        type=Path,
        metavar="OLD_DIST",
        help="list what changes against an earlier output; exit 3, writing nothing, on changes "
        "Kubernetes refuses to apply in place",
    )
    return parser


class UpgradeRefused(Exception):
    """``--compare-to`` found changes Kubernetes refuses in place; carries the comparison."""

    def __init__(self, comparison: Comparison) -> None:
        super().__init__("upgrade refused")
        self.comparison = comparison


def synth_to(
    outdir: Path,
    files: Sequence[Path],
    sets: Sequence[str],
    *,
    output_format: str = "yaml",
    compare_to: Path | None = None,
    sizing_table: bool = False,
    diagram: bool = False,
) -> str:
    """Validate, check ``outdir`` may be written, synthesize into a staging folder and move the files
    in (replacing only ros-synth's own); return the summary line,
    after the comparison's listing (``compare_to``) and the per-component sizing table
    (``sizing_table``). ``diagram`` adds ``topology.mmd`` and ``topology.svg``."""
    from ..values import load
    from .compare import compare, object_key, read_output
    from .output import MANIFEST, claim, commit, staged

    values = load(files, sets)
    output = claim(outdir, keep=files)
    previous = read_output(compare_to) if compare_to else None
    node_boot().join()
    from ..app import build_app, new_release
    from ..core.secrets import required
    from ..core.tree import inventory
    from . import helm
    from .kustomize import KUSTOMIZATION, kustomization
    from .sizing import read_objects, sizing

    release = new_release(values)

    outdir = output.path
    with staged(output) as staging:
        app = build_app(release, str(staging))
        app.synth()
        charts = len(list(staging.glob("*.k8s.yaml")))
        (staging / NOTES).write_text(release.notes())
        made = [o.manifest() for o in inventory(app).objects]
        sized = sizing(made)
        comparison = None
        if compare_to and previous:  # compared as written: what Kubernetes would be sent
            comparison = compare(compare_to, previous, {object_key(obj): obj for obj in read_objects(staging)})
        if comparison and comparison.refusals:
            raise UpgradeRefused(comparison)
        if diagram:
            from .diagram import diagram_files

            for name, text in diagram_files(app, release).items():
                (staging / name).write_text(text)
        if output_format == "helm":
            koku = values.images.koku
            helm.write_chart(staging, name=values.release, app_version=koku.digest or str(koku.tag))
        else:
            (staging / KUSTOMIZATION).write_text(kustomization(sorted(p.name for p in staging.glob("*.k8s.yaml"))))
        commit(output, staging)
    to_create = required(release.references)
    summary = f"synthesized {charts} charts, {len(made)} objects to {outdir}"
    if output_format == "helm":
        summary += f" as Helm chart {values.release}"
    summary += f"; {sized.summary()}"
    if output.legacy:
        summary += f"; replaced {len(output.owned)} files of an earlier ros-synth (named as its files, no {MANIFEST})"
    notes = outdir / helm.TEMPLATES / NOTES if output_format == "helm" else outdir / NOTES
    if to_create:
        summary += f"; create {len(to_create)} Secrets first ({', '.join(to_create)}): see {notes}"
    listing = [*(comparison.lines() if comparison else []), *([sized.table(), ""] if sizing_table else [])]
    return "\n".join([*listing, summary])


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point of the ``ros-synth`` script, ``python -m`` and ``cdk8s synth``: :func:`main`,
    then, after a normal run, an exit that skips tearing the interpreter down (freeing every
    module and object takes about as long as the rest of the exit). Exit handlers run in
    reverse order of registration, so the skip, registered first, runs after every other one,
    jsii's (which stops Node) included. When a handler was registered before ``run`` (a
    coverage tool's, say), the skip would cut it off, so the process exits as usual."""
    outcome: list[int] = []
    if getattr(atexit, "_ncallbacks", lambda: 1)() == 0:  # CPython's count of registered handlers
        atexit.register(_skip_teardown, outcome)
    outcome.append(main(argv))
    sys.exit(outcome[0])


def _skip_teardown(outcome: list[int]) -> None:
    if outcome:  # argparse's exits and uncaught exceptions end as Python ends them
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(outcome[0])


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ros-synth``: 0 on success, 2 on invalid values (one line per problem, output untouched).

    Every values problem is a :class:`ValuesError`, raised while loading, before anything is built;
    any other exception is a bug and keeps its traceback.
    """
    node_boot()
    # A run keeps nearly all it allocates until it ends: the cycle collector's passes would cost
    # about 5% of a default synth and find next to nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _command(argv)
    finally:
        if collecting:
            gc.enable()


def _command(argv: Sequence[str] | None) -> int:
    from ..values import ValuesError
    from .compare import CompareError
    from .diagram import DiagramError
    from .output import OutputRefused

    args = _with_version(_parser()).parse_args(argv)
    sets = list(args.sets) + ([f"platform={args.platform}"] if args.platform else [])
    sets += [f"profile={args.profile}"] if args.profile else []
    try:
        summary = synth_to(
            args.output,
            args.files,
            sets,
            output_format=args.output_format,
            compare_to=args.compare_to,
            sizing_table=args.sizing,
            diagram=args.diagram,
        )
    except ValuesError as err:
        print("invalid values:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_VALUES_ERROR
    except DiagramError as err:
        print(f"diagram: {err}; {args.output} left as it was", file=sys.stderr)
        return EXIT_DIAGRAM_ERROR
    except (CompareError, OutputRefused) as err:
        print(f"ros-synth: {err}", file=sys.stderr)
        return EXIT_VALUES_ERROR
    except UpgradeRefused as refused:
        print("\n".join(refused.comparison.lines()))
        print("\n".join(refused.comparison.refusal_lines()), file=sys.stderr)
        print(f"{args.output} was left as it was; migrate as above, then rerun without --compare-to", file=sys.stderr)
        return EXIT_UPGRADE_REFUSED
    print(summary)
    return 0


def _with_version(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


NODE_BANNER_SWITCH = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
"""Node majors (comma-separated) for which jsii skips its multi-line end-of-life banner on stderr."""


@functools.cache
def node_boot() -> threading.Thread:
    """Start jsii's Node runtime and load cdk8s's JavaScript (once per process) while this thread
    imports pydantic and reads the values: both take about as long, and Node runs on another
    core. jsii's own Python is imported here first, so the boot thread spawns Node at once
    instead of sharing the GIL with pydantic until it can. jsii serves one thread at a time:
    join the returned thread before any other Node call. A failure is left for the main
    thread's first ``import cdk8s`` to raise, as it would have anyway."""

    def boot() -> None:
        with contextlib.suppress(Exception):
            quiet_node_end_of_life_banner()
            import cdk8s  # noqa: F401

    with contextlib.suppress(Exception):
        import jsii  # noqa: F401
    thread = threading.Thread(target=boot, name="node-boot")
    thread.start()
    return thread


def quiet_node_end_of_life_banner() -> None:
    """Silence jsii's end-of-life banner for the Node that will run (``$JSII_NODE`` or ``node``)
    unless the caller set the switch; call before the first cdk8s import starts Node."""
    if NODE_BANNER_SWITCH in os.environ:
        return
    node = shutil.which(os.environ.get("JSII_NODE", "node"))
    if node is None:
        return
    try:
        found = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return
    major = found.stdout.strip().removeprefix("v").partition(".")[0]
    if major.isdigit():
        os.environ[NODE_BANNER_SWITCH] = major


def values_files_from_env() -> list[str]:
    """``ROS_VALUES`` is a colon-separated list of values files (used under ``cdk8s synth``)."""
    return [f for f in os.environ.get("ROS_VALUES", "").split(":") if f]


if __name__ == "__main__":
    run()
