"""The cache the release runs (``cache.mode: deploy``): Redis on Kubernetes, Valkey on OpenShift.

One pod (the Celery broker is not clustered), a memory cap with an eviction policy that spares
the Celery queues, no persistence unless asked (then an append-only file on a claim), optional
password and TLS. Probes ``ping`` through the CLI with the password from the environment; the
server reads it from its config on stdin (:data:`PASSWORD_FROM_ENV`), never from its arguments.
"""

from __future__ import annotations

import constructs

from ..core.pod import Container, EmptyDir, Mount, Port, Probe, SecretFiles, secret_key
from ..core.tree import Part
from ..core.workload import DeploymentKind, Recreate, StatefulSetKind, VolumeClaim
from .connections import CA_FILE, CacheConnection, cache_tls_secret
from .store import DataStore

DATA_PATH = "/data"
TLS_PATH = "/etc/cache-tls"


def probe_command(cli: str, port: int, tls: bool) -> list[str]:
    """``<cli> ping`` on the pod's own port, passing only if the answer is PONG (a NOAUTH or
    TLS error also exits 0). The password comes from ``REDISCLI_AUTH``/``VALKEYCLI_AUTH``."""
    flags = f" --tls --cacert {TLS_PATH}/{CA_FILE}" if tls else ""
    return ["sh", "-c", f"{cli} -h 127.0.0.1 -p {port}{flags} ping | grep -x PONG"]


PASSWORD_FROM_ENV = r"""p=$(printf '%s' "$CACHE_PASSWORD" | sed 's/[\\"]/\\&/g')
exec "$0" - "$@" <<EOF
requirepass "$p"
EOF
"""
"""Runs ``$0`` (the server) with ``requirepass`` from ``CACHE_PASSWORD`` in a config read from stdin
(``-``), so the password is in no process's arguments; backslashes and quotes are escaped for the
config's quoted string, and the shell execs the server (it stays PID 1 and gets the signals)."""


def server_command(engine: str, *, password: bool) -> list[str]:
    """``<engine>-server``, behind :data:`PASSWORD_FROM_ENV` when the cache needs a password."""
    server = f"{engine}-server"
    return ["sh", "-c", PASSWORD_FROM_ENV, server] if password else [server]


def server_args(*, port: int, max_memory: str, policy: str, persistence: bool, tls: bool) -> list[str]:
    args = ["--dir", DATA_PATH, "--save", "", "--appendonly", "yes" if persistence else "no"]
    args += ["--maxmemory", max_memory, "--maxmemory-policy", policy, "--protected-mode", "no"]
    if tls:
        args += ["--port", "0", "--tls-port", str(port), "--tls-auth-clients", "no"]
        args += ["--tls-cert-file", f"{TLS_PATH}/tls.crt", "--tls-key-file", f"{TLS_PATH}/tls.key"]
        args += ["--tls-ca-cert-file", f"{TLS_PATH}/{CA_FILE}"]
    else:
        args += ["--port", str(port)]
    return args


class CacheServer(Part):
    def __init__(self, scope: constructs.Construct, id: str, *, store: DataStore, cache: CacheConnection) -> None:
        super().__init__(scope, id)
        values = store.release.values
        deploy = values.cache.deploy
        engine = store.app
        args = server_args(
            port=cache.port,
            max_memory=deploy.max_memory,
            policy=deploy.eviction_policy,
            persistence=deploy.persistence,
            tls=cache.tls,
        )
        env, mounts = [], []
        if cache.password is not None:
            pw = cache.password
            env += [secret_key(name, pw.name, pw.key) for name in ("CACHE_PASSWORD", "REDISCLI_AUTH", "VALKEYCLI_AUTH")]
        if cache.tls:
            tls = values.cache.tls
            keys = {tls.secret_key(k): k for k in ("tls.crt", "tls.key", CA_FILE)}
            mounts.append(
                Mount(name="tls", path=TLS_PATH, source=SecretFiles(secret_name=cache_tls_secret(values), items=keys))
            )
        if not deploy.persistence:
            mounts.append(Mount(name="data", path=DATA_PATH, source=EmptyDir(size_limit="1Gi")))
        probe = probe_command(f"{engine}-cli", cache.port, cache.tls)
        container = Container(
            image=store.image_ref,
            resources=deploy.resources,
            command=server_command(engine, password=cache.password is not None),
            args=args,
            env=env,
            mounts=mounts,
            ports=[Port(name=engine, container_port=cache.port)],
            startup=Probe.exec(probe, timeout_seconds=5, failure_threshold=30),
            liveness=Probe.exec(probe, timeout_seconds=5, failure_threshold=6),
            readiness=Probe.exec(probe, timeout_seconds=5),
        )
        claims = [
            VolumeClaim(name="data", path=DATA_PATH, size=deploy.volume.size, storage_class=deploy.volume.storage_class)
        ]
        store.workload(
            self,
            "Server",
            component=engine,
            container=container,
            controller=StatefulSetKind(volume_claims=claims, spread=False)
            if deploy.persistence
            else DeploymentKind(strategy=Recreate(), spread=False),
            component_values=deploy,
            talks_to=[],
        )
