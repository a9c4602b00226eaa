"""The one error of the values, :class:`ValuesError`, and what validators use to raise it.

Validators raise :class:`ValuesError`; pydantic collects them (with its own type and range
errors) into a ``ValidationError``, which :meth:`ValuesError.from_validation` turns back into one
:class:`ValuesError` with a line per problem. The quantity parsers of ``base`` also read output
quantities, so they raise a plain ``ValueError``, which pydantic reports the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError, ValidationInfo
from pydantic.alias_generators import to_snake

KeyPath = tuple[str | int, ...]
"""A key's path in the values, as pydantic locates errors: ("costManagement", "api", "mode")."""


class ValuesError(ValueError):
    """Invalid values: one line per problem, each naming the field path and the value.

    A validator raises it with one problem; ``at`` names a key below the validated model (relative
    to it), which the problem line appends to the model's path, so it names the full key.
    """

    def __init__(self, *problems: str, at: str | None = None):
        super().__init__(*problems)
        self.problems = list(problems)
        self.at = at

    def __str__(self) -> str:
        return "\n".join(self.problems)

    @classmethod
    def from_validation(
        cls, err: ValidationError, source: Callable[[KeyPath], str | None] = lambda loc: None
    ) -> ValuesError:
        """Every problem pydantic found, one line each; ``source(loc)`` names who set the key
        (``(from site.yaml)``), if known."""
        problems = []
        for error in err.errors(include_url=False):
            below = getattr((error.get("ctx") or {}).get("error"), "at", None)
            origin = source((*error["loc"], *(below.split(".") if below else ())))
            problems.append(_describe(error) + (f" (from {origin})" if origin else ""))
        return cls(*problems)


_PROBLEMS: dict[str, str] = {
    "extra_forbidden": "unknown key (value {value!r})",
    "missing": "required",
    "greater_than_equal": "{value!r} is less than {ctx[ge]}",
    "less_than_equal": "{value!r} is greater than {ctx[le]}",
    "literal_error": "{value!r} is not one of {ctx[expected]}",
}
"""How a pydantic error type reads after the field path."""


def _describe(error: Mapping[str, Any]) -> str:
    """One pydantic error as ``<field path>: <problem>``."""
    value, ctx, kind = error.get("input"), error.get("ctx") or {}, error["type"]
    below = getattr(ctx.get("error"), "at", None)
    path = ".".join([*(str(part) for part in error["loc"]), *([below] if below else [])]) or "(top level)"
    if kind == "value_error":
        return f"{path}: {ctx.get('error', error['msg'])}"
    template = _PROBLEMS.get(kind, "{value!r}: {msg}")
    return f"{path}: {template.format(value=value, ctx=ctx, msg=error['msg'])}"


def given(info: ValidationInfo, path: str, model: BaseModel, default: BaseModel | None = None) -> bool:
    """Whether the user set the field at values path ``path`` (ending in the field of ``model``). Loaded values
    are merged over the defaults, so every field looks set: the loader passes the user's own data as context
    ``given``. Values built in code have no context and use ``model_fields_set`` (a model equal to its
    ``default`` counts as unset, since defaults state their fields too)."""
    raw = (info.context or {}).get("given")
    if raw is None:
        return to_snake(path.rsplit(".", 1)[-1]) in model.model_fields_set and model != default
    node: Any = raw
    for key in path.split("."):
        if not isinstance(node, dict):
            return False
        match = [k for k in (key, to_snake(key)) if k in node]
        if not match:
            return False
        node = node[match[0]]
    return True


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'download_xl'?)`` for a near miss: '-' for '_', else the closest name (difflib)."""
    candidates = list(known)
    if name.replace("-", "_") in candidates:
        return f" (did you mean {name.replace('-', '_')!r}?)"
    close = difflib.get_close_matches(name.replace("-", "_"), candidates, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
