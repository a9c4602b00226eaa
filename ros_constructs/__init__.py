"""ros-constructs: typed cdk8s constructs for ROS-OCP and the Cost Management (Koku) tier.

The public API, by what a team importing the library does with it:

- values: :class:`Values` (the typed model), :func:`load` (files and ``--set`` overrides),
  :func:`parse` (a mapping), :func:`defaults`, :class:`ValuesError` (one line per wrong field);
- the release every construct shares: :class:`Release` (values, naming, connections, and the
  registry of what pods reference; ``Release.notes()`` is NOTES.txt after building);
- the whole stack: :data:`TIERS` (every tier's declaration), :func:`new_release` (a release of
  those tiers), :func:`add_stack` (every chart into your own App or construct), :func:`build_app`
  (a fresh App) and the charts themselves (:class:`BaseChart` ... :class:`MonitoringChart`);
- parts of a tier: :class:`KokuTier`, :class:`CostManagementApi`, :class:`Connections`;
- the pod building block: :class:`Workload`, :class:`WorkloadProps` and one spec per controller
  (:class:`DeploymentKind`, :class:`StatefulSetKind`, :class:`JobKind`, :class:`CronJobKind`),
  :class:`Naming`, :class:`Platform`, :func:`platform_for`.

Names resolve lazily, so ``import ros_constructs`` or validating values alone does not start
the jsii Node runtime that every cdk8s import starts; type checkers and IDEs see the imports
below::

    from ros_constructs import Release, add_stack, load
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import TIERS, add_stack, build_app, new_release
    from .core.naming import Naming
    from .core.platform import Platform, platform_for
    from .core.workload import CronJobKind, DeploymentKind, JobKind, StatefulSetKind, Workload, WorkloadProps
    from .cost_management.api import CostManagementApi
    from .cost_management.chart import CostManagementChart
    from .cost_management.tier import KokuTier
    from .data.base import BaseChart
    from .data.chart import DataStoresChart
    from .data.connections import Connections
    from .edge.chart import EdgeChart
    from .monitoring.chart import MonitoringChart
    from .release import Release
    from .ros.chart import RosChart
    from .values import Values, ValuesError, defaults, load, parse

    __version__: str
    """The installed distribution's version (package metadata)."""

_EXPORTS = {
    "TIERS": "app",
    "new_release": "app",
    "add_stack": "app",
    "build_app": "app",
    "Naming": "core.naming",
    "Platform": "core.platform",
    "platform_for": "core.platform",
    "CronJobKind": "core.workload",
    "DeploymentKind": "core.workload",
    "JobKind": "core.workload",
    "StatefulSetKind": "core.workload",
    "Workload": "core.workload",
    "WorkloadProps": "core.workload",
    "CostManagementApi": "cost_management.api",
    "CostManagementChart": "cost_management.chart",
    "KokuTier": "cost_management.tier",
    "BaseChart": "data.base",
    "DataStoresChart": "data.chart",
    "Connections": "data.connections",
    "EdgeChart": "edge.chart",
    "MonitoringChart": "monitoring.chart",
    "Release": "release",
    "RosChart": "ros.chart",
    "Values": "values",
    "ValuesError": "values",
    "defaults": "values",
    "load": "values",
    "parse": "values",
}
"""Public name -> the module (relative to this package) that defines it."""

__all__ = [
    "TIERS",
    "BaseChart",
    "Connections",
    "CostManagementApi",
    "CostManagementChart",
    "CronJobKind",
    "DataStoresChart",
    "DeploymentKind",
    "EdgeChart",
    "JobKind",
    "KokuTier",
    "MonitoringChart",
    "Naming",
    "Platform",
    "Release",
    "RosChart",
    "StatefulSetKind",
    "Values",
    "ValuesError",
    "Workload",
    "WorkloadProps",
    "__version__",
    "add_stack",
    "build_app",
    "defaults",
    "load",
    "new_release",
    "parse",
    "platform_for",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":  # the installed distribution's version, read when asked for
        from importlib.metadata import version

        return version("ros-constructs")
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ros_constructs' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
