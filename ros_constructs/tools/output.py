"""The output folder of ``ros-synth -o``: ros-synth replaces and removes only files it wrote there.

A run writes into a staging folder inside the output folder and moves its files in only when
complete, so a failed run leaves the output as it was; staging inside (not beside) the folder keeps
every move on one file system and needs no write access above it. :data:`MANIFEST` lists what the
run wrote, and the next run replaces or removes only the files listed. A path that is not a
folder, or a folder holding anything else, is refused before anything is built: a values file
given as ``-o``, a repository's working tree or a hand-written patch is never touched.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = ".ros-synth-manifest"
STAGING_PREFIX = ".ros-synth-staging-"
"""A run's staging folder; one left by a killed run is ros-synth's, never removed by another run,
which may be writing into it."""
LEGACY_NAMES = ("*.k8s.yaml", "NOTES.txt", "kustomization.yaml", "topology.mmd", "topology.svg")
"""Files ros-synth wrote before it kept a manifest (YAML output and ``--diagram``)."""
LEGACY_HELM_NAMES = ("Chart.yaml", "values.yaml", "templates/*.k8s.yaml", "templates/NOTES.txt")
"""Files of an older ``--format helm`` chart: counted as ros-synth's only beside chart files in ``templates/``."""
SHOWN = 3
"""Foreign files named in a refusal; the walk stops there (``-o /`` needs no more)."""


class OutputRefused(Exception):
    """The output path cannot take ros-synth's files without touching others; one line."""


@dataclass(frozen=True)
class Output:
    """An output folder that may be written: ``owned`` are ros-synth's files in it now."""

    path: Path
    owned: frozenset[str]
    legacy: bool
    """The folder has no manifest; ``owned`` are the files named as ros-synth names its output."""


def claim(path: Path, keep: Iterable[Path] = ()) -> Output:
    """``path`` as an output folder: absent, empty or holding only ros-synth's files, and none of
    ``keep`` (the values files); else :class:`OutputRefused`."""
    path = path.resolve()
    if path.exists() and not path.is_dir():
        raise OutputRefused(f"-o {path}: not a folder; give a new or empty folder (nothing was written)")
    if not path.exists():
        return Output(path, frozenset(), legacy=False)
    kept = [f for f in (Path(k).resolve() for k in keep) if f.is_relative_to(path)]
    if kept:
        raise OutputRefused(f"-o {path}: holds the values file {kept[0]}; give another folder (nothing was written)")
    listed = _manifest(path)
    try:
        owned, foreign = _survey(path, listed)
    except OSError as err:
        raise OutputRefused(f"-o {path}: cannot read ({err.strerror})") from None
    if listed is None and owned and not _legacy_output(owned):
        foreign, owned = sorted(owned)[:SHOWN], []
    if foreign:
        named = ", ".join(foreign[:SHOWN]) + (", ..." if len(foreign) > SHOWN else "")
        raise OutputRefused(
            f"-o {path}: holds files ros-synth did not write ({named}); give a new or empty folder "
            "or move them (nothing was written)"
        )
    return Output(path, frozenset(owned), legacy=listed is None and bool(owned))


def _manifest(folder: Path) -> set[str] | None:
    """The files the manifest in ``folder`` lists, None without one; an entry outside the folder is refused."""
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise OutputRefused(f"-o {folder}: cannot read {MANIFEST} ({err}); remove it") from None
    listed = {line for line in text.splitlines() if line and not line.startswith("#")}
    for entry in sorted(listed):
        parts = PurePosixPath(entry).parts
        if entry.startswith("/") or ".." in parts or "." in parts or entry in (MANIFEST, ""):
            raise OutputRefused(f"-o {folder}: {MANIFEST} lists {entry!r}, not a file of the folder; remove it")
    return listed


def _survey(folder: Path, listed: set[str] | None) -> tuple[list[str], list[str]]:
    """(ros-synth's files, up to :data:`SHOWN` others) in ``folder``, entering only folders that hold
    listed files (or ``templates/``, without a manifest) and never following a symbolic link."""
    dirs = {str(p) for e in listed for p in PurePosixPath(e).parents if str(p) != "."} if listed is not None else set()
    dirs |= {"templates"} if listed is None else set()
    owned: list[str] = []
    foreign: list[str] = []
    pending = [""]
    while pending and len(foreign) <= SHOWN:
        below = pending.pop()
        with os.scandir(folder / below) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        for entry in entries:
            rel = f"{below}/{entry.name}" if below else entry.name
            if entry.is_dir(follow_symlinks=False):
                if rel in dirs:
                    pending.append(rel)
                elif not (rel.startswith(STAGING_PREFIX) and not below):
                    foreign.append(f"{rel}/")
            elif rel == MANIFEST:
                continue
            elif rel in listed if listed is not None else _matches(rel, (*LEGACY_NAMES, *LEGACY_HELM_NAMES)):
                owned.append(rel)
            else:
                foreign.append(rel)
    return owned, foreign


def _matches(rel: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(rel, pattern) for pattern in patterns)


def _legacy_output(files: list[str]) -> bool:
    """Whether files found without a manifest are an output of ros-synth: chart files among them,
    and a Chart.yaml or values.yaml (a name users give their own files) only beside ``templates/``."""
    helm = any(f.startswith("templates/") for f in files)
    names = (*LEGACY_NAMES, *(LEGACY_HELM_NAMES if helm else ()))
    return any(f.endswith(".k8s.yaml") for f in files) and all(_matches(f, names) for f in files)


@contextlib.contextmanager
def staged(output: Output) -> Iterator[Path]:
    """A fresh staging folder inside the output folder (made, with its parents, if absent), removed
    however the block ends; folders made for it are removed too unless :func:`commit` moved files in."""
    made = [p for p in (output.path, *output.path.parents) if not p.exists()]
    try:
        output.path.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output.path))
    except OSError as err:
        _remove_empty(made)
        raise OutputRefused(f"-o {output.path}: cannot write ({err.strerror})") from None
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not (output.path / MANIFEST).exists():
            _remove_empty(made)


def commit(output: Output, staging: Path) -> None:
    """Move the staged files into the output folder, replacing ros-synth's earlier files and removing
    those this run did not write again; the manifest, written first, lists both until the end, so
    a run cut short leaves no file unaccounted for."""
    new = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if not p.is_dir())
    try:
        _write_manifest(output.path, staging, sorted({*new, *output.owned}))
        for rel in new:
            (output.path / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, output.path / rel)
        gone = sorted(output.owned - set(new))
        for rel in gone:
            (output.path / rel).unlink(missing_ok=True)
        emptied = {output.path / p for rel in gone for p in PurePosixPath(rel).parents if p != PurePosixPath()}
        _remove_empty(sorted(emptied, reverse=True))
        _write_manifest(output.path, staging, new)
    except OSError as err:
        raise OutputRefused(f"-o {output.path}: cannot write ({err.strerror}); rerun to complete it") from None


def _write_manifest(folder: Path, staging: Path, files: list[str]) -> None:
    (staging / MANIFEST).write_text(
        "# Written by ros-synth: the files it wrote here, the only ones it replaces or removes.\n"
        + "".join(f"{rel}\n" for rel in files)
    )
    os.replace(staging / MANIFEST, folder / MANIFEST)


def _remove_empty(folders: Iterable[Path]) -> None:
    """Remove each of ``folders`` (deepest first) that is empty; others stay."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()
