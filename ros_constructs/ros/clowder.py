"""A Clowder config file for ros-ocp-backend's Kafka consumers when Kafka is secured.

ros-ocp-backend reads Kafka SASL and TLS settings only from an app-common-go config file
(``ACG_CONFIG``); its env mode connects in plain text. The file holds the SASL password, so it is
not rendered into any object: an init container running the backend's own image writes it from
the pod's env (Secret refs) into a memory-backed emptyDir at pod start. In Clowder mode the
backend also takes the database from the file, so the same env feeds that section.
"""

from __future__ import annotations

from ..core.pod import Container, EmptyDir, EnvVar, Mount, literal, secret_key
from ..data.connections import KafkaConnection
from ..data.topics import RECOMMENDATIONS, ROS_EVENTS, SOURCES_EVENTS
from ..values import resources
from .credentials import BACKEND_KAFKA_CLIENT

CONFIG_DIR = "/var/run/clowder"
CONFIG_FILE = f"{CONFIG_DIR}/cdappconfig.json"
VOLUME = "clowder-config"
RENDER_RESOURCES = resources("10m", "16Mi", cpu_limit=None, memory_limit="32Mi")
TOPICS = (ROS_EVENTS, RECOMMENDATIONS, SOURCES_EVENTS)
"""The requested topic names ros-ocp-backend looks up in the file (outside Clowder they are the real names)."""

RENDER_SCRIPT = r"""set -euf
nl='
'
tab=$(printf '\t')
cr=$(printf '\r')
esc() {
  rest=$1 out=''
  while [ -n "$rest" ]; do
    c=${rest%"${rest#?}"}
    rest=${rest#?}
    case $c in
      '\') out="$out\\\\" ;;
      '"') out="$out\\\"" ;;
      "$nl") out="$out\\n" ;;
      "$tab") out="$out\\t" ;;
      "$cr") out="$out\\r" ;;
      *) out="$out$c" ;;
    esac
  done
  printf '%s' "$out"
}
lines() {
  sep=''
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s%s' "$sep" "$(esc "$line")"
    sep='\n'
  done
}
first=${KAFKA_BOOTSTRAP_SERVERS%%,*}
for port in "${PROMETHEUS_PORT:-0}" "$DB_PORT" "${first##*:}"; do
  case $port in
    ''|*[!0-9]*) echo 'clowder-config: PROMETHEUS_PORT, DB_PORT or a broker port is not a number' >&2; exit 1 ;;
  esac
done
umask 077
{
  printf '{"metricsPort": %s, "metricsPath": "/metrics",\n' "${PROMETHEUS_PORT:-0}"
  printf ' "logging": {"type": "null",'
  printf ' "cloudwatch": {"accessKeyId": "", "secretAccessKey": "", "region": "", "logGroup": ""}},\n'
  printf ' "database": {"hostname": "%s", "port": %s, "name": "%s", "username": "%s", "password": "%s",' \
    "$(esc "$DB_HOST")" "$DB_PORT" "$(esc "$DB_NAME")" "$(esc "$DB_USER")" "$(esc "$DB_PASSWORD")"
  printf ' "adminUsername": "", "adminPassword": "", "sslMode": "%s"' "$(esc "$DB_SSL")"
  if [ -n "${DB_CA_CERT:-}" ]; then
    printf ', "rdsCa": "%s"' "$(printf '%s\n' "$DB_CA_CERT" | lines)"
  fi
  printf '},\n "kafka": {"brokers": [{"hostname": "%s", "port": %s, "authtype": "sasl",' \
    "$(esc "${first%:*}")" "${first##*:}"
  printf ' "sasl": {"username": "%s", "password": "%s", "saslMechanism": "%s", "securityProtocol": "%s"}' \
    "$(esc "$KAFKA_SASL_USERNAME")" "$(esc "$KAFKA_SASL_PASSWORD")" "$(esc "$KAFKA_SASL_MECHANISM")" \
    "$(esc "$KAFKA_SECURITY_PROTOCOL")"
  if [ -n "${KAFKA_CA_FILE:-}" ]; then
    printf ', "cacert": "%s"' "$(lines < "$KAFKA_CA_FILE")"
  fi
  printf '}],\n  "topics": ['
  sep=''
  for topic in $TOPICS; do
    printf '%s{"requestedName": "%s", "name": "%s"}' "$sep" "$(esc "$topic")" "$(esc "$topic")"
    sep=', '
  done
  printf ']}}\n'
} > "$ACG_CONFIG.new"
mv "$ACG_CONFIG.new" "$ACG_CONFIG"
"""
"""POSIX sh (no tools beyond the shell, printf and mv): every expansion quoted (``set -f``: the
split of ``TOPICS`` never globs), every string JSON-escaped, every port checked to be digits."""


def clowder_needed(kafka: KafkaConnection) -> bool:
    """ros-ocp-backend's env mode cannot carry SASL (plain-text TLS alone is rejected by the values)."""
    return kafka.sasl_mechanism is not None


def config_mount() -> Mount:
    return Mount(name=VOLUME, path=CONFIG_DIR, source=EmptyDir(medium="Memory", size_limit="1Mi"))


def render_container(image: str, kafka: KafkaConnection, per_component: list[EnvVar]) -> Container:
    """The init container that writes ``CONFIG_FILE``; the caller adds the role's table env."""
    login = kafka.login(BACKEND_KAFKA_CLIENT)
    assert login is not None and kafka.sasl_mechanism is not None
    username = login.username
    env = [
        *per_component,
        literal("ACG_CONFIG", CONFIG_FILE),
        literal("TOPICS", " ".join(TOPICS)),
        literal("KAFKA_SASL_MECHANISM", kafka.sasl_mechanism),
        literal("KAFKA_SECURITY_PROTOCOL", kafka.security_protocol),
        literal("KAFKA_SASL_USERNAME", username)
        if isinstance(username, str)
        else secret_key("KAFKA_SASL_USERNAME", username.name, username.key),
        secret_key("KAFKA_SASL_PASSWORD", login.password.name, login.password.key),
    ]
    if kafka.ca_file:
        env.append(literal("KAFKA_CA_FILE", kafka.ca_file))
    return Container(
        name="clowder-config",
        image=image,
        resources=RENDER_RESOURCES,
        command=["sh", "-c", RENDER_SCRIPT],
        env=env,
        mounts=[config_mount(), *kafka.mounts],
    )
