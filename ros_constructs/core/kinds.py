"""Every kind of object the library writes, each stated once with its API version."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """An object kind and the API version it is written in."""

    api_version: str
    kind: str


RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC = f"{RBAC_GROUP}/v1"

NAMESPACE = Kind("v1", "Namespace")
CONFIG_MAP = Kind("v1", "ConfigMap")
SECRET = Kind("v1", "Secret")
SERVICE = Kind("v1", "Service")
SERVICE_ACCOUNT = Kind("v1", "ServiceAccount")
DEPLOYMENT = Kind("apps/v1", "Deployment")
STATEFUL_SET = Kind("apps/v1", "StatefulSet")
JOB = Kind("batch/v1", "Job")
CRON_JOB = Kind("batch/v1", "CronJob")
POD_DISRUPTION_BUDGET = Kind("policy/v1", "PodDisruptionBudget")
HORIZONTAL_POD_AUTOSCALER = Kind("autoscaling/v2", "HorizontalPodAutoscaler")
NETWORK_POLICY = Kind("networking.k8s.io/v1", "NetworkPolicy")
INGRESS = Kind("networking.k8s.io/v1", "Ingress")
ROLE = Kind(RBAC, "Role")
ROLE_BINDING = Kind(RBAC, "RoleBinding")
CLUSTER_ROLE = Kind(RBAC, "ClusterRole")
CLUSTER_ROLE_BINDING = Kind(RBAC, "ClusterRoleBinding")
# Custom resources: the operator or controller that serves each is a prerequisite (NOTES.txt).
HTTP_ROUTE = Kind("gateway.networking.k8s.io/v1", "HTTPRoute")
ROUTE = Kind("route.openshift.io/v1", "Route")
SERVICE_MONITOR = Kind("monitoring.coreos.com/v1", "ServiceMonitor")
PROMETHEUS_RULE = Kind("monitoring.coreos.com/v1", "PrometheusRule")
SCALED_OBJECT = Kind("keda.sh/v1alpha1", "ScaledObject")
TRIGGER_AUTHENTICATION = Kind("keda.sh/v1alpha1", "TriggerAuthentication")
CNPG_CLUSTER = Kind("postgresql.cnpg.io/v1", "Cluster")
OBJECT_BUCKET_CLAIM = Kind("objectbucket.io/v1alpha1", "ObjectBucketClaim")
AUTH_CONFIG = Kind("authorino.kuadrant.io/v1beta3", "AuthConfig")
KAFKA = Kind("kafka.strimzi.io/v1beta2", "Kafka")
KAFKA_NODE_POOL = Kind("kafka.strimzi.io/v1beta2", "KafkaNodePool")
KAFKA_TOPIC = Kind("kafka.strimzi.io/v1beta2", "KafkaTopic")
KAFKA_USER = Kind("kafka.strimzi.io/v1beta2", "KafkaUser")
