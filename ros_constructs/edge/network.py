"""NetworkPolicies for every pod of the release, from its traffic graph (:mod:`~ros_constructs.core.traffic`).

``<release>-default-deny`` selects every pod of the release for ingress and egress (everything
closed but DNS); then one policy per component opens exactly the paths of the graph, and
components with the same paths (the worker pools, say) share one policy.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict

import constructs

from ..core.emit import Json, api_object
from ..core.kinds import NETWORK_POLICY
from ..core.naming import INSTANCE_LABEL, Naming
from ..core.traffic import components_peer
from ..core.tree import Part, inventory
from ..release import Release


class ReleaseNetworkPolicies(Part):
    """``<release>-default-deny`` (everything closed but DNS) plus ``<release>-<component>`` per
    component, or one policy for components whose paths are the same (see the module)."""

    def __init__(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        release: Release,
        naming: Naming,
    ) -> None:
        super().__init__(scope, id)
        graph = release.traffic(inventory(self))
        default = {
            "podSelector": {"matchLabels": {INSTANCE_LABEL: release.name}},
            "policyTypes": ["Ingress", "Egress"],
            "egress": [graph.dns()],
        }
        self._policy("Default", naming, "default-deny", default)
        # Components with the same paths (the worker pools, say) share one policy.
        groups: dict[str, list[str]] = defaultdict(list)
        for name in graph.components:
            rules = graph.rules[name]
            spec = {"ingress": rules.ingress(release.name) or None, "egress": _merged(rules.egress) or None}
            groups[json.dumps(spec, sort_keys=True)].append(name)
        taken = set(graph.components)
        for spec_text, members in groups.items():
            spec = json.loads(spec_text)
            spec.update(
                podSelector=components_peer(release.name, members)["podSelector"], policyTypes=["Ingress", "Egress"]
            )
            name = _group_name(members, taken)
            taken.add(name)
            self._policy(name, naming, name, spec)

    def _policy(self, id: str, naming: Naming, component: str, spec: Json) -> None:
        api_object(
            self,
            id,
            kind=NETWORK_POLICY,
            name=naming.name(component),
            labels=naming.labels(component),
            body={"spec": spec},
        )


def _group_name(members: list[str], taken: set[str]) -> str:
    """The component's name, or for several ``<the leading words they share>-group`` (``worker-group``)."""
    if len(members) == 1:
        return members[0]
    shared = [
        w[0]
        for w in itertools.takewhile(lambda w: len(set(w)) == 1, zip(*(m.split("-") for m in members), strict=False))
    ]
    base = f"{'-'.join(shared or [members[0]])}-group"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def _merged(rules: list[Json]) -> list[Json]:
    """Egress rules with equal ``to`` joined (their ports unioned), in first-seen order."""
    merged: dict[str, Json] = {}
    for rule in rules:
        key = repr(rule["to"])
        if key in merged and merged[key]["ports"] is not None and rule["ports"] is not None:
            merged[key]["ports"] += [p for p in rule["ports"] if p not in merged[key]["ports"]]
        elif key not in merged:
            merged[key] = {"to": rule["to"], "ports": list(rule["ports"]) if rule["ports"] else None}
        else:
            merged[key]["ports"] = None
    return list(merged.values())
