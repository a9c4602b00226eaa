"""Object names and ``app.kubernetes.io/*`` labels, decided in one place.

Every object is named ``<release>-<component>``. Selectors use only the three stable labels
(name, instance, component): they are immutable on Deployments, so nothing that can change
with a refactor (the cdk8s address label, the version) may appear in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
MAX_NAME_LENGTH = 63
MAX_CRONJOB_NAME_LENGTH = 52
"""A CronJob's Jobs are named ``<cronjob>-<11 characters>``, so its own name has 52."""
PART_OF = "cost-onprem"
NAME_LABEL = "app.kubernetes.io/name"
COMPONENT_LABEL = "app.kubernetes.io/component"
INSTANCE_LABEL = "app.kubernetes.io/instance"
SELECTOR_LABELS = (NAME_LABEL, INSTANCE_LABEL, COMPONENT_LABEL)
"""The labels of every selector: immutable on Deployments, so pod labels may never set them."""
MANAGED_BY = "ros-constructs"


class InvalidNameError(ValueError):
    """A generated name is not a valid DNS-1123 label."""


def check_dns_label(name: str, what: str = "name", limit: int = MAX_NAME_LENGTH) -> str:
    """Return ``name`` if it is a DNS-1123 label of at most ``limit`` characters, else raise."""
    if len(name) > limit:
        raise InvalidNameError(f"{what} {name!r} is {len(name)} characters long; the limit is {limit}")
    if not DNS1123_LABEL.match(name):
        raise InvalidNameError(
            f"{what} {name!r} is not a DNS-1123 label (lower-case letters, digits and '-', "
            "starting and ending with a letter or digit)"
        )
    return name


def object_name(release: str, component: str) -> str:
    """``<release>-<component>``, validated: the name of every object of a release (Secrets and
    ConfigMaps the tiers refer to before any construct exists included)."""
    return check_dns_label(f"{release}-{component}", f"name of component {component!r}")


@dataclass(frozen=True, kw_only=True)
class Naming:
    """Names and labels for one application (``app.kubernetes.io/name``) of one release."""

    release: str
    app: str
    version: str

    def name(self, component: str) -> str:
        """``<release>-<component>``, validated."""
        return object_name(self.release, component)

    def app_selector(self) -> dict[str, str]:
        """Every pod of this application in this release (any component)."""
        return {NAME_LABEL: self.app, INSTANCE_LABEL: self.release}

    def selector(self, component: str) -> dict[str, str]:
        """The immutable selector labels of a component's pods."""
        return {**self.app_selector(), COMPONENT_LABEL: component}

    def labels(self, component: str) -> dict[str, str]:
        """Every recommended label; put on every object and pod template."""
        return {
            **self.selector(component),
            "app.kubernetes.io/part-of": PART_OF,
            "app.kubernetes.io/managed-by": MANAGED_BY,
            "app.kubernetes.io/version": label_value(self.version),
        }


def label_value(value: str) -> str:
    """Shorten a free-form string (an image tag or digest) into a valid label value."""
    value = value.split(":")[-1]  # sha256:abc... -> abc...
    value = re.sub(r"[^A-Za-z0-9._-]", "-", value)[:MAX_NAME_LENGTH]
    return value.strip("-_.") or "unknown"
