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

from .model import Values
from .profiles import PROFILES, profile_path


class ValuesError(Exception):
    """Invalid values: one line per problem, each naming the field path and the value."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


_PROBLEMS: dict[str, str] = {
    "extra_forbidden": "unknown key (value {value!r})",
    "missing": "required",
    "greater_than_equal": "{value!r} is less than {ctx[ge]}",
    "less_than_equal": "{value!r} is greater than {ctx[le]}",
    "literal_error": "{value!r} is not one of {ctx[expected]}",
}
"""How a pydantic error type reads after the field path."""


def _describe(error: Mapping[str, Any]) -> str:
    value, ctx, kind = error.get("input"), error.get("ctx") or {}, error["type"]
    below = getattr(ctx.get("error"), "path", None)  # an AtPath names a key below the validated model
    path = ".".join([*(str(part) for part in error["loc"]), *([below] if below else [])]) or "(top level)"
    if kind == "value_error":
        return f"{path}: {ctx.get('error', error['msg'])}"
    template = _PROBLEMS.get(kind, "{value!r}: {msg}")
    return f"{path}: {template.format(value=value, ctx=ctx, msg=error['msg'])}"


def defaults() -> dict[str, Any]:
    """The default values as a plain camelCase mapping."""
    return Values().model_dump(mode="json", by_alias=True)


def parse(data: Mapping[str, Any]) -> Values:
    """Validate ``data`` deep-merged over the defaults, so a partial section keeps its defaults."""
    try:
        return Values.model_validate(deep_merge(defaults(), data), context={"given": data})
    except ValidationError as err:
        raise ValuesError([_describe(e) for e in err.errors(include_url=False)]) from None


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
    path, sep, raw = assignment.partition("=")
    keys = path.split(".")
    if not sep or not all(keys):
        raise ValuesError([f"--set {assignment!r}: expected PATH=VALUE, e.g. costManagement.api.mode=unified"])
    try:
        value = yaml.safe_load(raw) if raw else ""
    except yaml.YAMLError as err:
        raise ValuesError([f"--set {path}: {raw!r} is not a YAML value ({err.__class__.__name__})"]) from None
    nested: Any = value
    for key in reversed(keys):
        nested = {key: nested}
    return deep_merge(data, nested)


def read_file(path: Path) -> dict[str, Any]:
    """Read one values file; an empty file is an empty mapping."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ValuesError([f"{path}: cannot read ({err.strerror})"]) from None
    except yaml.YAMLError as err:
        raise ValuesError([f"{path}: not valid YAML: {err}"]) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ValuesError([f"{path}: the top level must be a mapping, not {type(loaded).__name__}"])
    return loaded


def load(files: Iterable[Path] = (), sets: Iterable[str] = (), overrides: Mapping[str, Any] | None = None) -> Values:
    """Files deep-merged in order, then ``--set`` assignments, then ``overrides``; validated."""
    data: dict[str, Any] = {}
    for path in files:
        data = deep_merge(data, read_file(path))
    for assignment in sets:
        data = apply_set(data, assignment)
    if overrides:
        data = deep_merge(data, overrides)
    return parse(with_profile(data))


def with_profile(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` over the overlay of the profile it names (``profile:``), so the user's values win."""
    name = data.get("profile")
    if name is None:
        return data
    if name not in PROFILES:
        raise ValuesError([f"profile: {name!r} is not a profile; the profiles are {list(PROFILES)}"])
    return deep_merge(read_file(profile_path(name)), data)


def json_schema() -> dict[str, Any]:
    """The JSON schema of values files (committed as values.schema.json)."""
    schema = Values.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ros-constructs values"
    return schema
