"""``GeneratedSecrets``: credential Secrets derived from a seed (needs Node, unlike ``secrets.py``)."""

from __future__ import annotations

from collections.abc import Iterable

import constructs

from .emit import api_object
from .kinds import SECRET
from .naming import Naming
from .references import References
from .secrets import SecretPlan, generated_data
from .tree import Part


class GeneratedSecrets(Part):
    """Every planned Secret that is generated (none without a seed), recorded as provided."""

    def __init__(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        plans: Iterable[SecretPlan],
        seed: str | None,
        naming: Naming,
        references: References,
        namespace: str,
    ) -> None:
        super().__init__(scope, id)
        for plan in plans:
            if not plan.generated or seed is None:
                continue
            data = generated_data(plan, seed, namespace=namespace, release=naming.release)
            component = plan.name.removeprefix(f"{naming.release}-")
            api_object(
                self,
                plan.name,
                kind=SECRET,
                name=plan.name,
                namespace=namespace,
                labels=naming.labels(component),
                body={"type": plan.type, "stringData": data},
            )
            references.provide("Secret", plan.name, frozenset(data))
