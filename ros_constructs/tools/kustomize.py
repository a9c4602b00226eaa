"""``kustomization.yaml`` next to the chart files, so ``kubectl apply -k dist/`` applies them in order
and the directory can be a base of a site's own kustomize overlay."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

KUSTOMIZATION = "kustomization.yaml"


def kustomization(resources: Sequence[str]) -> str:
    """A Kustomization listing ``resources`` (file names, in apply order) and nothing else."""
    document = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(resources),
    }
    return yaml.safe_dump(document, sort_keys=False)
