"""Release-scoped grants: the one cluster-wide permission the stack needs, creating TokenReviews."""

from __future__ import annotations

from collections.abc import Mapping

import constructs

from .emit import api_object
from .kinds import CLUSTER_ROLE, CLUSTER_ROLE_BINDING, RBAC_GROUP


def token_review_grant(scope: constructs.Construct, *, account: str, namespace: str, labels: Mapping[str, str]) -> None:
    """ClusterRole ``<account>-tokenreview`` (create TokenReviews, nothing else) bound to ``account``;
    the account name carries the release prefix, so two releases never share the grant."""
    role = f"{account}-tokenreview"
    grant = {"apiGroups": ["authentication.k8s.io"], "resources": ["tokenreviews"], "verbs": ["create"]}
    api_object(
        scope,
        "TokenReviewRole",
        kind=CLUSTER_ROLE,
        name=role,
        labels=labels,
        body={"rules": [grant]},
        cluster_scoped=True,
    )
    api_object(
        scope,
        "TokenReviewBinding",
        kind=CLUSTER_ROLE_BINDING,
        name=role,
        labels=labels,
        body={
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}],
        },
        cluster_scoped=True,
    )
