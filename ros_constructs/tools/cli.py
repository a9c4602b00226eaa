"""``ros-synth``: values files and ``--set`` overrides in, ``dist/`` out.

``cdk8s synth`` runs ``apps/main.py``, which calls :func:`main` too, so both share this path.
Output is written to a temporary sibling directory and swapped in only when complete: a failed
run leaves the previous ``dist/`` as it was. NOTES.txt and the summary come from what the built
pods reference and the output lacks (the release's reference registry).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..values import ValuesError, load
from . import helm
from .compare import CompareError, Comparison, compare, read_objects, read_output

EXIT_VALUES_ERROR = 2
EXIT_UPGRADE_REFUSED = 3
"""``--compare-to`` found a change Kubernetes refuses to apply in place; nothing was written."""
NOTES = "NOTES.txt"
"""Written next to the manifests: what to create first (kubectl apply skips non-YAML files)."""


def _parser() -> argparse.ArgumentParser:
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
) -> str:
    """Validate, synthesize into a temp dir, swap it into ``outdir``; return the summary line
    (after the comparison's listing with ``compare_to``)."""
    values = load(files, sets)
    previous = read_output(compare_to) if compare_to else None
    # Imported late: values errors are reported without starting Node.
    from ..app import build_app
    from ..core.secrets import required
    from ..release import Release

    release = Release(values=values)

    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}-", dir=outdir.parent))
    try:
        app = build_app(release, str(staging))
        app.synth()
        written = [f.read_text() for f in staging.glob("*.k8s.yaml")]
        charts = len(written)
        objects = sum(text.count("\n---\n") + 1 for text in written if text.strip())
        (staging / NOTES).write_text(release.notes())
        comparison = compare(compare_to, previous, read_objects(written)) if compare_to and previous else None
        if comparison and comparison.refusals:
            raise UpgradeRefused(comparison)
        if output_format == "helm":
            koku = values.images.koku
            helm.write_chart(staging, name=values.release, app_version=koku.digest or str(koku.tag))
        old = outdir.with_name(f".{outdir.name}-old")
        if outdir.exists():
            shutil.rmtree(old, ignore_errors=True)
            outdir.rename(old)
        staging.rename(outdir)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    to_create = required(release.references)
    summary = f"synthesized {charts} charts, {objects} objects to {outdir}"
    if output_format == "helm":
        summary += f" as Helm chart {values.release}"
    notes = outdir / helm.TEMPLATES / NOTES if output_format == "helm" else outdir / NOTES
    if to_create:
        summary += f"; create {len(to_create)} Secrets first ({', '.join(to_create)}): see {notes}"
    return "\n".join([*(comparison.lines() if comparison else []), summary])


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sets = list(args.sets) + ([f"platform={args.platform}"] if args.platform else [])
    try:
        summary = synth_to(args.output, args.files, sets, output_format=args.output_format, compare_to=args.compare_to)
    except ValuesError as err:
        print("invalid values:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_VALUES_ERROR
    except CompareError as err:
        print(f"ros-synth: {err}", file=sys.stderr)
        return EXIT_VALUES_ERROR
    except UpgradeRefused as refused:
        print("\n".join(refused.comparison.lines()))
        print("\n".join(refused.comparison.refusal_lines()), file=sys.stderr)
        print(f"{args.output} was left as it was; migrate as above, then rerun without --compare-to", file=sys.stderr)
        return EXIT_UPGRADE_REFUSED
    print(summary)
    return 0


def values_files_from_env() -> list[str]:
    """``ROS_VALUES`` is a colon-separated list of values files (used under ``cdk8s synth``)."""
    return [f for f in os.environ.get("ROS_VALUES", "").split(":") if f]


if __name__ == "__main__":
    sys.exit(main())
