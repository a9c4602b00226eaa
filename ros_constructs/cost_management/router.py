"""The nginx API router: method split plus the recommendations route, on any cluster.

Its Service ``<release>-api-router`` is the API's front door; ``gateway.py`` is the Gateway API
alternative with the same behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass

import constructs

from ..core.conversations import ServiceName
from ..core.emit import api_object
from ..core.env_table import checksum
from ..core.kinds import CONFIG_MAP
from ..core.pod import ConfigMapFiles, Container, Mount, Port, Probe
from ..core.tree import Part
from ..core.workload import DeploymentKind
from .env import KokuRole
from .tier import RECOMMENDATIONS_PATH, KokuPod, KokuTier

COMPONENT = "api-router"
ROUTER_PORT = 8080
ROUTER_CONFIG_PATH = "/etc/nginx/router"
RUN_DIR = "/tmp"
"""nginx's pid file and temp files; the only writable path (read-only root filesystem)."""
DRAIN_SECONDS = 10
PROXY_READ_TIMEOUT = 600
"""Koku's nginx waits this long for an API answer (long reports)."""


@dataclass(frozen=True, kw_only=True)
class Upstreams:
    """Service names (in the release namespace) and ports the router forwards to."""

    reads: str
    writes: str
    port: int
    ros_api: str
    ros_api_port: int

    @property
    def services(self) -> list[ServiceName]:
        return [ServiceName(name) for name in (self.reads, self.writes, self.ros_api)]


def nginx_config(
    upstreams: Upstreams, *, namespace: str, path_prefix: str, listen: str = str(ROUTER_PORT), run_dir: str = RUN_DIR
) -> str:
    """The router's nginx.conf: method split plus the recommendations route (Koku's, hardened).

    ``listen`` is a port or address:port; every writable path is under ``run_dir``. Upstreams
    resolve once at start through the pod's resolver, like Koku's ``koku-api-nginx-conf``.
    Redirects nginx makes itself (the slash it appends to ``<prefix>/v1/recommendations``) are
    relative: clients come through a Route, Ingress or Gateway whose scheme and port nginx cannot
    know, so an absolute one would send them to ``http://<host>:8080``.
    """
    return f"""worker_processes 1;
pid {run_dir}/nginx.pid;
error_log stderr warn;

events {{
  worker_connections 1024;
}}

http {{
  access_log /dev/stdout;
  client_body_temp_path {run_dir}/client_body;
  proxy_temp_path {run_dir}/proxy;
  fastcgi_temp_path {run_dir}/fastcgi;
  uwsgi_temp_path {run_dir}/uwsgi;
  scgi_temp_path {run_dir}/scgi;
  server_tokens off;
  client_max_body_size 500M;
  client_header_buffer_size 46k;
  keepalive_timeout 65;

  upstream api_reads {{
    server {upstreams.reads}.{namespace}.svc:{upstreams.port};
  }}
  upstream api_writes {{
    server {upstreams.writes}.{namespace}.svc:{upstreams.port};
  }}
  upstream ros_api {{
    server {upstreams.ros_api}.{namespace}.svc:{upstreams.ros_api_port};
  }}

  map $request_method $api_upstream {{
    GET api_reads;
    HEAD api_reads;
    default api_writes;
  }}

  server {{
    listen {listen};
    absolute_redirect off;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
    proxy_redirect off;
    proxy_read_timeout {PROXY_READ_TIMEOUT}s;

    location = /healthz {{
      access_log off;
      return 200 "ok\\n";
    }}
    location {path_prefix}{RECOMMENDATIONS_PATH} {{
      proxy_pass http://ros_api;
    }}
    location / {{
      proxy_pass http://$api_upstream;
    }}
  }}
}}
"""


def drain_command(*, run_dir: str = RUN_DIR, drain_seconds: int = DRAIN_SECONDS) -> list[str]:
    """The preStop hook: wait until the endpoints drop the pod, quit gracefully, wait for the exit.

    nginx takes SIGTERM as "stop now". SIGQUIT goes to the master through its pid file, because
    ``nginx -s quit`` parses the config again: one upstream name that no longer resolves fails it,
    and the hook would wait out the grace period. ``kill`` is a shell builtin.
    """
    pid = f"{run_dir}/nginx.pid"
    return ["/bin/sh", "-c", f'sleep {drain_seconds}; kill -QUIT "$(cat {pid})"; while [ -e {pid} ]; do sleep 1; done']


class NginxRouter(Part):
    """nginx Deployment + ConfigMap; its Service ``<release>-api-router`` is the API's front door."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier, upstreams: Upstreams) -> None:
        super().__init__(scope, id)
        values = tier.values
        router = values.cost_management.api.router
        conf = nginx_config(upstreams, namespace=values.namespace, path_prefix=values.cost_management.api.path_prefix)
        name = tier.naming.name(COMPONENT)
        api_object(
            self,
            "Config",
            kind=CONFIG_MAP,
            name=name,
            labels=tier.naming.labels(COMPONENT),
            body={"data": {"nginx.conf": conf}},
        )
        tier.release.references.provide("ConfigMap", name, frozenset({"nginx.conf"}))
        annotations = {"checksum/config": checksum(conf)}
        container = Container(
            image=values.images.nginx.ref,
            resources=router.resources,
            command=["nginx", "-e", "stderr", "-c", f"{ROUTER_CONFIG_PATH}/nginx.conf", "-g", "daemon off;"],
            pre_stop=drain_command(),
            ports=[Port(name="http", container_port=ROUTER_PORT, service_port=upstreams.port)],
            mounts=[Mount(name="config", path=ROUTER_CONFIG_PATH, source=ConfigMapFiles(config_map_name=name))],
            readiness=Probe.http("/healthz", "http", period_seconds=10),
            liveness=Probe.http("/healthz", "http", period_seconds=20, failure_threshold=5),
        )
        tier.workload(
            self,
            "Workload",
            component=COMPONENT,
            pod=KokuPod(roles=[KokuRole.ROUTER], pod_annotations=annotations),
            component_values=router,
            controller=DeploymentKind(replicas=router.replicas),
            termination_grace_period_seconds=DRAIN_SECONDS + PROXY_READ_TIMEOUT + 10,
            container=container,
            talks_to=upstreams.services,
        )
