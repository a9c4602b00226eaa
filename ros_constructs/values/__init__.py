"""The typed values model: the only input of every chart.

Keys are camelCase like Helm values; every field states its default once, next to it. Sections:
``base`` (shared building blocks), ``pods`` (what every block that owns pods shares), ``data``
(the data stores), ``cost_management`` and ``koku_config`` (the Koku tier), ``model`` (the root)
and ``loading`` (files, ``--set``, errors).
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
from .koku_config import CostManagement
from .loading import ValuesError, apply_set, deep_merge, defaults, json_schema, load, parse, read_file
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
