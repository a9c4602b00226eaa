"""``BaseChart``: what must exist before any pod: the namespace (unless the operator owns it)
and every credential Secret the release generates from ``secrets.seed``."""

from __future__ import annotations

import constructs

from ..core.emit import api_object
from ..core.kinds import NAMESPACE
from ..core.secret_objects import GeneratedSecrets
from ..core.tree import ReleaseChart
from ..release import Release, library_version


class BaseChart(ReleaseChart):
    """Applied first: the Namespace, then the generated Secrets in it."""

    def __init__(self, scope: constructs.Construct, id: str, *, release: Release) -> None:
        super().__init__(scope, id)
        naming = release.naming("cost-onprem", library_version())
        if release.values.create_namespace:
            api_object(
                self,
                "Namespace",
                kind=NAMESPACE,
                name=release.namespace,
                labels={
                    **naming.labels("namespace"),
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
                body={},
                cluster_scoped=True,
            )
        GeneratedSecrets(
            self,
            "Secrets",
            plans=release.secret_plans,
            seed=release.values.secrets.seed,
            naming=naming,
            references=release.references,
            namespace=release.namespace,
        )
