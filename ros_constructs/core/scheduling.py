"""Where a pod may run: node selection, tolerations, affinity, spread and priority, in
Kubernetes' own shapes, as :class:`Workload` renders them into the pod template."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from ..values import Scheduling as SchedulingValues
from .inventory import Json


@dataclass(frozen=True, kw_only=True)
class Scheduling:
    """Where the pods may run; empty: anywhere."""

    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: Sequence[Json] = ()
    affinity: Json | None = None
    topology_spread_constraints: Sequence[Json] | None = None
    """Given, they replace the built-in spread (ScheduleAnyway over hostname and zone) and ``()``
    spreads nothing; a constraint without ``labelSelector`` counts the workload's own pods."""
    priority_class_name: str | None = None

    @classmethod
    def of(cls, settings: SchedulingValues) -> Scheduling:
        """The values' scheduling as the pod template writes it."""
        spread = settings.topology_spread_constraints
        return cls(
            node_selector=settings.node_selector or {},
            tolerations=[_json(t) for t in settings.tolerations or ()],
            affinity=_json(settings.affinity) if settings.affinity else None,
            topology_spread_constraints=None if spread is None else [_json(c) for c in spread],
            priority_class_name=settings.priority_class_name,
        )


def _json(model: BaseModel) -> Json:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)
