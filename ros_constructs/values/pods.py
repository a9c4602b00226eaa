"""What every block that owns pods shares (bitnami's uniform component block): where its pods
may run (:class:`Scheduling`, also the release-wide default ``scheduling``) and what an operator
adds to them (:class:`Component`: labels, annotations, extra env, an image of its own).

Tolerations, affinity and spread constraints keep Kubernetes' shapes and field names. What can
be checked here is (enums, label keys, names); the nested affinity terms are Kubernetes' own and
are left to the API server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, field_validator, model_validator

from ..core.naming import SELECTOR_LABELS
from .base import Annotations, DnsSubdomain, ExtraEnv, Image, Labels, LabelValue, Model, QualifiedName

RESERVED_ANNOTATIONS = "checksum/"
"""Pod annotations the release sets itself (a changed config rolls the pods)."""


KubernetesObject = dict[str, Any]
"""A Kubernetes structure passed through as written (its keys camelCase, as in Kubernetes)."""


class Toleration(Model):
    """A toleration of node taints, as Kubernetes writes it."""

    key: QualifiedName | None = Field(default=None, description="Taint key; unset (with operator Exists): every taint.")
    operator: Literal["Exists", "Equal"] | None = Field(
        default=None, description="Equal: the taint's value must be value; Exists: any value. Unset: Equal."
    )
    value: LabelValue | None = Field(default=None, description="The taint's value (operator Equal).")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = Field(
        default=None, description="Unset: taints of every effect."
    )
    toleration_seconds: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="effect NoExecute: how long the pod stays once tainted; unset: for good."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Toleration:
        if self.key is None and self.operator != "Exists":
            raise ValueError("a toleration without key tolerates every taint and needs operator Exists")
        if self.operator == "Exists" and self.value:
            raise ValueError(f"operator Exists matches any value; remove value {self.value!r}")
        if self.toleration_seconds is not None and self.effect != "NoExecute":
            raise ValueError(f"tolerationSeconds needs effect NoExecute (effect is {self.effect or 'unset'})")
        return self


class Affinity(Model):
    """Kubernetes' pod ``affinity``; each part is passed through as written."""

    node_affinity: KubernetesObject | None = Field(default=None, description="Which nodes (by node labels).")
    pod_affinity: KubernetesObject | None = Field(default=None, description="Near which pods.")
    pod_anti_affinity: KubernetesObject | None = Field(default=None, description="Away from which pods.")


class LabelSelector(Model):
    match_labels: Labels | None = None
    match_expressions: list[KubernetesObject] | None = None


class TopologySpreadConstraint(Model):
    """One ``topologySpreadConstraints`` entry, as Kubernetes writes it."""

    max_skew: Annotated[int, Field(ge=1)] = Field(description="Largest allowed difference in pods between domains.")
    topology_key: QualifiedName = Field(description="Node label whose values are the domains.")
    when_unsatisfiable: Literal["DoNotSchedule", "ScheduleAnyway"] = Field(
        description="DoNotSchedule leaves pods Pending; ScheduleAnyway only prefers spreading."
    )
    label_selector: LabelSelector | None = Field(
        default=None, description="The pods counted; unset: this component's pods (its selector labels)."
    )
    min_domains: Annotated[int, Field(ge=1)] | None = None
    match_label_keys: list[QualifiedName] | None = None
    node_affinity_policy: Literal["Honor", "Ignore"] | None = None
    node_taints_policy: Literal["Honor", "Ignore"] | None = None

    @model_validator(mode="after")
    def _min_domains(self) -> TopologySpreadConstraint:
        if self.min_domains is not None and self.when_unsatisfiable != "DoNotSchedule":
            raise ValueError("minDomains needs whenUnsatisfiable DoNotSchedule")
        return self


class Scheduling(Model):
    """Where pods may run. null: unset; a component's field that is set replaces the release-wide one."""

    node_selector: Labels | None = Field(default=None, description="Node labels the pods require.")
    tolerations: list[Toleration] | None = Field(
        default=None, description="Node taints the pods tolerate (key, operator, value, effect, tolerationSeconds)."
    )
    affinity: Affinity | None = Field(default=None, description="Node and pod (anti-)affinity.")
    topology_spread_constraints: list[TopologySpreadConstraint] | None = Field(
        default=None,
        description="Kubernetes' constraints (maxSkew, topologyKey, whenUnsatisfiable, ...; without labelSelector "
        "they count the component's own pods). They replace the built-in spread (ScheduleAnyway over "
        "kubernetes.io/hostname and topology.kubernetes.io/zone, on every Deployment and StatefulSet but the "
        "singletons); [] spreads nothing.",
    )
    priority_class_name: DnsSubdomain | None = Field(
        default=None, description="An existing PriorityClass (preemption and eviction order); unset: the cluster's."
    )

    def over(self, default: Scheduling) -> Scheduling:
        """These settings, each unset one taken from ``default``."""
        own = {name: getattr(self, name) for name in Scheduling.model_fields}
        return default.model_copy(update={name: value for name, value in own.items() if value is not None})


class Component(Scheduling):
    """A block that owns pods: where they run, and what an operator adds to them."""

    image: Image | None = Field(
        default=None,
        description="Run this image instead of the images entry the component uses (init steps running that "
        "image follow it); pull policy and secrets stay images'.",
    )
    extra_env: list[ExtraEnv] = Field(
        default_factory=list, description="Added to the main container; a variable the release sets there is refused."
    )
    pod_annotations: Annotations = Field(
        default_factory=dict, description=f"Added to the pod template ({RESERVED_ANNOTATIONS}* are the release's)."
    )
    pod_labels: Labels = Field(
        default_factory=dict,
        description="Added to the pod template; the selector labels (app.kubernetes.io/name, instance, component) "
        "are the release's.",
    )

    @field_validator("pod_labels")
    @classmethod
    def _not_the_selector(cls, labels: dict[str, str]) -> dict[str, str]:
        taken = [key for key in labels if key in SELECTOR_LABELS]
        if taken:
            raise ValueError(f"{taken[0]!r} is a selector label, which the release sets and may not change")
        return labels

    @field_validator("pod_annotations")
    @classmethod
    def _not_reserved(cls, annotations: dict[str, str]) -> dict[str, str]:
        taken = [key for key in annotations if key.startswith(RESERVED_ANNOTATIONS)]
        if taken:
            raise ValueError(f"{taken[0]!r}: {RESERVED_ANNOTATIONS}* annotations are set by the release")
        return annotations


Block = TypeVar("Block", bound=BaseModel)


def sections(model: BaseModel, kind: type[Block], path: str = "") -> Iterator[tuple[str, Block]]:
    """Every ``kind`` block below ``model`` (map entries included) with its values path."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        key = f"{path}.{field.alias or name}" if path else field.alias or name
        entries = value.items() if isinstance(value, dict) else [("", value)]
        for entry, child in entries:
            if isinstance(child, BaseModel):
                child_path = f"{key}.{entry}" if entry else key
                if isinstance(child, kind):
                    yield child_path, child
                yield from sections(child, kind, child_path)


def components(model: BaseModel) -> Iterator[tuple[str, Component]]:
    """Every :class:`Component` block below ``model`` (map entries included) with its values path."""
    return sections(model, Component)
