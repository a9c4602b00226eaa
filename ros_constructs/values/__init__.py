"""The typed values model: the only input of every chart.

Keys are camelCase like Helm values; every field states its default once, next to it. Modules:

- ``base``: the base model and shared building blocks (quantities, resources, images, Secret
  references, extra env, autoscaling);
- ``pods``: what every block that owns pods shares (image, extra env, pod labels and annotations,
  scheduling);
- ``data``: the data stores (PostgreSQL, the cache, Kafka, object storage);
- ``cost_management`` (the API tier, the worker fleet, beat and the other Koku services) and
  ``koku_config`` (the Koku settings and the ``costManagement`` section itself);
- ``ros``: the ROS tier (ROS-OCP backend, Kruize, the Sources API, the upload ingress);
- ``edge``: exposure and authentication; ``monitoring``: ServiceMonitors, alerts, dashboards;
- ``profiles``: the sized overlays; ``model``: the root, :class:`Values`, and its cross-section checks;
- ``loading``: files, ``--set`` and profiles merged, then validated; ``errors``: :class:`ValuesError`,
  the one error of every values problem, and the helpers validators raise it with.

Importing this package never starts Node.
"""

from .base import (
    INT32_MAX,
    Autoscaling,
    Credential,
    ExistingSecret,
    ExtraEnv,
    Image,
    Images,
    Model,
    Resources,
    SecretKeyRef,
    cpu_cores,
    memory_bytes,
    resources,
)
from .cost_management import (
    KOKU_FAMILIES,
    KOKU_QUEUES,
    ApiDeployment,
    KokuService,
    WorkerPool,
    Workers,
    queue_family,
)
from .errors import ValuesError
from .koku_config import CostManagement
from .loading import apply_set, deep_merge, defaults, json_schema, load, parse, read_file
from .model import Values
from .pods import Component, Scheduling, components

__all__ = [
    "INT32_MAX",
    "KOKU_FAMILIES",
    "KOKU_QUEUES",
    "ApiDeployment",
    "Autoscaling",
    "Component",
    "CostManagement",
    "Credential",
    "ExistingSecret",
    "ExtraEnv",
    "Image",
    "Images",
    "KokuService",
    "Model",
    "Resources",
    "Scheduling",
    "SecretKeyRef",
    "Values",
    "ValuesError",
    "WorkerPool",
    "Workers",
    "apply_set",
    "components",
    "cpu_cores",
    "deep_merge",
    "defaults",
    "json_schema",
    "load",
    "memory_bytes",
    "parse",
    "queue_family",
    "read_file",
    "resources",
]
