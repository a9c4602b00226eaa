"""Loading values: files deep-merged in order, then ``--set a.b.c=value`` overrides, then validation.

Unknown keys are errors, so a typo never passes silently. :class:`ValuesError` carries one line per
wrong field (path and value), which the CLI prints before exiting with code 2.

Values may come from someone other than the operator who runs ros-synth, so reading is bounded
before anything is built: a file or ``--set`` value over :data:`MAX_BYTES`, nesting deeper than
:data:`MAX_DEPTH`, duplicate keys, anchors, aliases and merge keys are each one problem line
naming the file and line. Refusing anchors outright (rather than expanding them under a budget)
keeps a billion-laughs file to the cost of reading its first anchor, and a values file never
needs them: each value is written once.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import ValidationError

from .errors import KeyPath, ValuesError
from .model import Values
from .profiles import PROFILES, profile_path

MAX_BYTES = 2 * 2**20
"""A values file or ``--set`` value is at most 2 MiB: no Kubernetes object can carry more than
etcd's 1.5 MiB request limit, real values files are a few KiB, and PyYAML's pure-Python reader
takes about a second per MiB."""
MAX_DEPTH = 32
"""Mappings and lists nest at most 32 deep: the model's own paths are under 10 levels and the
Kubernetes structures passed through (affinity) add under 10; Python's recursion limit is far off."""


def defaults() -> dict[str, Any]:
    """The default values as a plain camelCase mapping."""
    return Values().model_dump(mode="json", by_alias=True)


def parse(data: Mapping[str, Any], origins: Mapping[KeyPath, str] | None = None) -> Values:
    """Validate ``data`` deep-merged over the defaults, so a partial section keeps its defaults.

    ``origins`` (from :func:`record_origins`) names the source of each key, so a problem line
    ends with ``(from site.yaml)``.
    """
    try:
        return Values.model_validate(deep_merge(defaults(), data), context={"given": data})
    except ValidationError as err:
        raise ValuesError.from_validation(err, lambda loc: origin_of(loc, origins or {})) from None


def record_origins(origins: dict[KeyPath, str], layer: Mapping[str, Any], source: str) -> None:
    """Note ``source`` as the origin of every leaf ``layer`` sets, dropping what it replaces.

    Mappings merge key by key (as in :func:`deep_merge`); any other value replaces the whole
    subtree, so the origins recorded below or above it no longer apply.
    """

    def walk(node: Mapping[str, Any], prefix: KeyPath) -> None:
        for key, value in node.items():
            path = (*prefix, key)
            if isinstance(value, Mapping) and value:
                for stale in [p for p in origins if p == path[: len(p)]]:
                    del origins[stale]  # a scalar that this mapping replaces
                walk(value, path)
            else:
                for stale in [p for p in origins if p[: len(path)] == path]:
                    del origins[stale]
                origins[path] = source

    walk(layer, ())


def origin_of(loc: KeyPath, origins: Mapping[KeyPath, str]) -> str | None:
    """Who set the value at ``loc``: the leaf at or above it, else every source below it (a
    section-level check); None for defaults and for checks on the whole of the values."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in origins:
            return origins[loc[:end]]
    below = sorted({source for path, source in origins.items() if loc and path[: len(loc)] == loc})
    return ", ".join(below) or None


def deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``; mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_set(data: dict[str, Any], assignment: str) -> dict[str, Any]:
    """Apply one ``a.b.c=value`` override; the value is read as a YAML scalar or list."""
    return deep_merge(data, set_layer(assignment))


def set_layer(assignment: str) -> dict[str, Any]:
    """One ``a.b.c=value`` override as the nested mapping it sets (read under the limits of a file)."""
    path, sep, raw = assignment.partition("=")
    keys = path.split(".")
    if not sep or not all(keys):
        raise ValuesError(f"--set {_clipped(assignment)}: expected PATH=VALUE, e.g. costManagement.api.mode=unified")
    if len(assignment.encode("utf-8", "surrogateescape")) > MAX_BYTES:
        raise ValuesError(f"--set {_clipped(path)}: larger than {MAX_BYTES // 2**20} MiB")
    if len(keys) > MAX_DEPTH:
        raise ValuesError(f"--set {_clipped(path)}: nested deeper than {MAX_DEPTH} levels")
    try:
        value = _parse(raw, depth=len(keys)) if raw else ""
    except _Refused as err:
        raise ValuesError(f"--set {_clipped(path)}: {err.problem}") from None
    except yaml.YAMLError as err:
        raise ValuesError(f"--set {path}: {_clipped(raw)!r} is not a YAML value ({_yaml_problem(err)})") from None
    nested: Any = value
    for key in reversed(keys):
        nested = {key: nested}
    return dict(nested)


def _yaml_problem(err: yaml.YAMLError) -> str:
    """What the parser objects to, without its ``in "<unicode string>"`` location."""
    if isinstance(err, yaml.MarkedYAMLError):
        return ", ".join(part for part in (err.context, err.problem) if part) or err.__class__.__name__
    return str(err)


def _yaml_position(err: yaml.YAMLError) -> str:
    """``:line:column`` (1-based) of a syntax error, or nothing when the parser gave no position."""
    mark = err.problem_mark if isinstance(err, yaml.MarkedYAMLError) else None
    return f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""


def _clipped(text: str, most: int = 60) -> str:
    """``text``, cut to ``most`` characters with an ellipsis, for an error line."""
    return text if len(text) <= most else f"{text[:most]}..."


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that a values file may not use (an anchor, a duplicate key, deep nesting)."""


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors, aliases and merge keys, refusing duplicate keys and
    nesting deeper than :data:`MAX_DEPTH` as it composes (before building the deeper nodes)."""

    depth = 0
    """Levels of nesting above the document (a ``--set`` path's keys)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                problem="anchors and aliases (& and *) are not allowed", problem_mark=cast(yaml.Mark, event.start_mark)
            )
        if not isinstance(event, yaml.CollectionStartEvent):
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(
                    problem=f"nested deeper than {MAX_DEPTH} levels", problem_mark=cast(yaml.Mark, event.start_mark)
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(problem="merge keys (<<) are not allowed", problem_mark=key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and first.setdefault(key, key_node.start_mark) is not key_node.start_mark:
                problem = f"duplicate key {_clipped(str(key))!r} (first at line {first[key].line + 1})"
                raise _Refused(problem=problem, problem_mark=key_node.start_mark)
        return super().construct_mapping(node, deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as err:  # an int past Python's digit limit, a 13th month
            reason = str(err).partition(": ")[0]
            problem = f"cannot read {_clipped(str(node.value))!r} as {node.tag.rpartition(':')[2]} ({reason})"
            raise _Refused(problem=problem, problem_mark=node.start_mark) from None


def _parse(text: str, depth: int = 0) -> Any:
    """The one YAML document in ``text``, read by :class:`_StrictLoader` from nesting ``depth``."""
    loader = _StrictLoader(text)
    loader.depth = depth
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_file(path: Path) -> dict[str, Any]:
    """Read one values file (at most :data:`MAX_BYTES` of UTF-8); an empty file is an empty mapping."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as err:
        raise ValuesError(f"{path}: cannot read ({err.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise ValuesError(f"{path}: larger than {MAX_BYTES // 2**20} MiB, the most a values file may hold")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise ValuesError(f"{path}:{line}: not UTF-8 (byte 0x{raw[err.start]:02x})") from None
    try:
        loaded = _parse(text)
    except _Refused as err:
        raise ValuesError(f"{path}{_yaml_position(err)}: {err.problem}") from None
    except yaml.YAMLError as err:
        raise ValuesError(f"{path}{_yaml_position(err)}: not valid YAML: {_yaml_problem(err)}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ValuesError(f"{path}: the top level must be a mapping, not {type(loaded).__name__}")
    return loaded


def load(files: Iterable[Path] = (), sets: Iterable[str] = (), overrides: Mapping[str, Any] | None = None) -> Values:
    """Files deep-merged in order, then ``--set`` assignments, then ``overrides``; validated.

    A problem line names the file (or ``--set``) that set the offending key.
    """
    data: dict[str, Any] = {}
    origins: dict[KeyPath, str] = {}
    for path in files:
        layer = read_file(path)
        data = deep_merge(data, layer)
        record_origins(origins, layer, str(path))
    for assignment in sets:
        layer = set_layer(assignment)
        data = deep_merge(data, layer)
        record_origins(origins, layer, "--set")
    if overrides:
        data = deep_merge(data, overrides)
        record_origins(origins, overrides, "overrides")
    return parse(with_profile(data, origins), origins)


def with_profile(data: dict[str, Any], origins: dict[KeyPath, str]) -> dict[str, Any]:
    """``data`` over the overlay of the profile it names (``profile:``), so the user's values win;
    keys only the overlay sets get the profile file as their origin."""
    name = data.get("profile")
    if name is None:
        return data
    if name not in PROFILES:
        raise ValuesError(f"profile: {name!r} is not a profile; the profiles are {list(PROFILES)}")
    overlay = read_file(profile_path(name))
    from_profile: dict[KeyPath, str] = {}
    record_origins(from_profile, overlay, f"profile {name}")
    origins.update({path: source for path, source in from_profile.items() if path not in origins})
    return deep_merge(overlay, data)


def json_schema() -> dict[str, Any]:
    """The JSON schema of values files (committed as values.schema.json)."""
    schema = Values.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ros-constructs values"
    return schema
