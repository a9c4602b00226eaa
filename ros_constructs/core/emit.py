"""How objects cross into cdk8s: one ``ApiObject`` and one JSON patch per top-level field.

Building an object from cdk8s-plus's typed structs costs a runtime type check per struct and
a Node round trip per ``Quantity`` and ``IntOrString``; the constructs of this library are
typed in Python already (dataclasses, pydantic values), so they render plain JSON here and
hand it over in a few calls, recording each in the App's :mod:`inventory`. The output matches
what cdk8s writes for structs: keys sorted, ``None`` left out, empty objects (``emptyDir: {}``)
kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cdk8s
import constructs

from .inventory import Emitted, inventory
from .inventory import Json as Json


def json_ready(value: Any) -> Any:
    """``value`` with mapping keys sorted and ``None`` entries dropped, recursively."""
    if isinstance(value, Mapping):
        return {k: json_ready(v) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def api_object(
    scope: constructs.Construct,
    id: str,
    *,
    api_version: str,
    kind: str,
    name: str | None,
    labels: Mapping[str, str],
    annotations: Mapping[str, str] | None = None,
    body: Mapping[str, Any],
    cluster_scoped: bool = False,
    namespace: str | None = None,
) -> cdk8s.ApiObject:
    """One object in ``namespace`` or else the chart's (none when ``cluster_scoped``); ``body``
    holds every field besides metadata."""
    obj = cdk8s.ApiObject(
        scope,
        id,
        api_version=api_version,
        kind=kind,
        metadata=cdk8s.ApiObjectMetadata(
            name=name, namespace=namespace, labels=dict(labels), annotations=dict(annotations or {}) or None
        ),
    )
    ready = json_ready(body)
    patches = [cdk8s.JsonPatch.add(f"/{field}", value) for field, value in ready.items()]
    if cluster_scoped:  # the chart gives every object its namespace
        patches.append(cdk8s.JsonPatch.remove("/metadata/namespace"))
    obj.add_json_patch(*patches)
    emitted = Emitted(api_version=api_version, kind=kind, name=name or "", labels=dict(labels), body=ready)
    inventory(scope).objects.append(emitted)
    return obj
