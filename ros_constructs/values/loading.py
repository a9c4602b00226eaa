"""Loading values: files deep-merged in order, then ``--set a.b.c=value`` overrides, then validation.

Unknown keys are errors, so a typo never passes silently. :class:`ValuesError` carries one line per
wrong field (path and value), which the CLI prints before exiting with code 2.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import KeyPath, ValuesError
from .model import Values
from .profiles import PROFILES, profile_path


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
    """One ``a.b.c=value`` override as the nested mapping it sets."""
    path, sep, raw = assignment.partition("=")
    keys = path.split(".")
    if not sep or not all(keys):
        raise ValuesError(f"--set {assignment!r}: expected PATH=VALUE, e.g. costManagement.api.mode=unified")
    try:
        value = yaml.safe_load(raw) if raw else ""
    except yaml.YAMLError as err:
        raise ValuesError(f"--set {path}: {raw!r} is not a YAML value ({_yaml_problem(err)})") from None
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


def read_file(path: Path) -> dict[str, Any]:
    """Read one values file; an empty file is an empty mapping."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ValuesError(f"{path}: cannot read ({err.strerror})") from None
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
