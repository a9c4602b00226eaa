"""Release-scoped grants: the one cluster-wide permission the stack needs, creating TokenReviews."""

from __future__ import annotations

from collections.abc import Mapping

import constructs

from .emit import api_object

RBAC = "rbac.authorization.k8s.io"


def token_review_grant(scope: constructs.Construct, *, account: str, namespace: str, labels: Mapping[str, str]) -> None:
    """ClusterRole ``<account>-tokenreview`` (create TokenReviews, nothing else) bound to ``account``;
    the account name carries the release prefix, so two releases never share the grant."""
    role = f"{account}-tokenreview"
    grant = {"apiGroups": ["authentication.k8s.io"], "resources": ["tokenreviews"], "verbs": ["create"]}
    api_object(
        scope,
        "TokenReviewRole",
        api_version=f"{RBAC}/v1",
        kind="ClusterRole",
        name=role,
        labels=labels,
        body={"rules": [grant]},
        cluster_scoped=True,
    )
    api_object(
        scope,
        "TokenReviewBinding",
        api_version=f"{RBAC}/v1",
        kind="ClusterRoleBinding",
        name=role,
        labels=labels,
        body={
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}],
        },
        cluster_scoped=True,
    )
