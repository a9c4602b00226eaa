"""PostgreSQL for the release: a StatefulSet (``internal``) or a CloudNativePG ``Cluster``
(``cloudnativepg``), plus the Job that ensures each service's login and database.

The ensure Job runs ``postgres_sql.ensure_sql`` as the superuser. It is named after its spec and
removed an hour after it finishes, so every ``kubectl apply`` after that runs it again (a
restored or replaced volume gets its logins back), and a failed attempt is retried by the Job's
back-off instead of a wait loop. In ``external`` mode nothing is deployed or ensured.
"""

from __future__ import annotations

import constructs

from ..core.emit import api_object
from ..core.env_table import checksum
from ..core.kinds import CNPG_CLUSTER
from ..core.pod import ConfigMapFiles, Container, EmptyDir, EnvVar, Mount, Port, Probe, literal, secret_key
from ..core.secrets import SecretRef
from ..core.tree import Part
from ..core.workload import JobKind, StatefulSetKind, VolumeClaim
from .connections import POSTGRES_PORT, DatabaseConnection, cnpg_cluster
from .postgres_sql import ServiceLogin, ensure_sql
from .store import DataStore

DATA_PATH = "/var/lib/postgresql/data"
SOCKET_PATH = "/var/run/postgresql"
SQL_PATH = "/etc/database-ensure"
READY = ["pg_isready", "--host", "127.0.0.1", "--port", str(POSTGRES_PORT), "--timeout", "5"]


def _env(name: str, ref: SecretRef | str) -> EnvVar:
    return literal(name, ref) if isinstance(ref, str) else secret_key(name, ref.name, ref.key)


class PostgresServer(Part):
    """One PostgreSQL 16 StatefulSet with a volume, probed by ``pg_isready``."""

    def __init__(self, scope: constructs.Construct, id: str, *, store: DataStore, db: DatabaseConnection) -> None:
        super().__init__(scope, id)
        internal = store.release.values.database.internal
        assert db.admin is not None
        container = Container(
            image=store.image_ref,
            resources=internal.resources,
            ports=[Port(name="postgres", container_port=POSTGRES_PORT)],
            env=[
                _env("POSTGRES_PASSWORD", db.admin),
                literal("PGDATA", f"{DATA_PATH}/pgdata"),  # a subdirectory the server's UID owns
            ],
            mounts=[Mount(name="socket", path=SOCKET_PATH, source=EmptyDir())],
            startup=Probe.exec(READY, timeout_seconds=5, failure_threshold=60),
            liveness=Probe.exec(READY, timeout_seconds=5, failure_threshold=6),
            readiness=Probe.exec(READY, timeout_seconds=5),
        )
        store.workload(
            self,
            "Server",
            component="database",
            container=container,
            controller=StatefulSetKind(
                volume_claims=[
                    VolumeClaim(
                        name="data",
                        path=DATA_PATH,
                        size=internal.volume.size,
                        storage_class=internal.volume.storage_class,
                    )
                ],
                spread=False,
            ),
            termination_grace_period_seconds=60,
            component_values=internal,
            talks_to=[],
        )


class CloudNativePgCluster(Part):
    """A CNPG ``Cluster``: N instances, a managed role per service (its password from the
    service's login Secret), superuser access for the ensure Job."""

    def __init__(self, scope: constructs.Construct, id: str, *, store: DataStore, db: DatabaseConnection) -> None:
        super().__init__(scope, id)
        values = store.release.values
        spec = values.database.cloudnativepg
        name = cnpg_cluster(values)
        res = spec.resources
        roles = [
            {
                "name": login.user_name,
                "ensure": "present",
                "login": True,
                "passwordSecret": {"name": login.password.name},
            }
            for service, login in sorted(db.logins.items())
        ]
        cluster = {
            "instances": spec.instances,
            "imageName": spec.image_name,
            "enableSuperuserAccess": True,
            "storage": {"size": spec.volume.size, "storageClass": spec.volume.storage_class},
            "resources": {
                "requests": {"cpu": res.requests.cpu, "memory": res.requests.memory},
                "limits": {"memory": res.limits.memory, "cpu": res.limits.cpu or None},
            },
            "managed": {"roles": roles},
        }
        api_object(
            self,
            "Cluster",
            kind=CNPG_CLUSTER,
            name=name,
            labels=store.naming.labels("database"),
            body={"spec": cluster},
        )
        store.operator_makes("Secret", f"{name}-superuser", frozenset({"username", "password"}))
        store.operator_makes("Secret", f"{name}-ca", frozenset({"ca.crt"}))


class DatabaseEnsureJob(Part):
    """The idempotent Job that makes every service's login and database exist."""

    def __init__(self, scope: constructs.Construct, id: str, *, store: DataStore, db: DatabaseConnection) -> None:
        super().__init__(scope, id)
        assert db.admin is not None
        job = store.release.values.database.ensure_job
        logins, env = [], []
        for service, creds in sorted(db.logins.items()):
            prefix = service.upper().replace("-", "_")
            logins.append(
                ServiceLogin(
                    database=creds.database,
                    user_env=f"{prefix}_DB_USER",
                    password_env=f"{prefix}_DB_PASSWORD",
                    extensions=creds.extensions,
                )
            )
            env += [_env(f"{prefix}_DB_USER", creds.user), _env(f"{prefix}_DB_PASSWORD", creds.password)]
        sql = ensure_sql(logins)
        script = store.config_map(self, "Script", component="database-ensure", data={"ensure.sql": sql})
        host = db.host
        client_env = [
            literal("PGHOST", host),
            literal("PGPORT", db.port),
            literal("PGDATABASE", "postgres"),
            literal("PGCONNECT_TIMEOUT", 10),
            _env("PGUSER", db.admin_user),
            _env("PGPASSWORD", db.admin),
        ]
        if db.ssl_mode:
            client_env.append(literal("PGSSLMODE", db.ssl_mode))
        if db.ca_file:
            client_env.append(literal("PGSSLROOTCERT", db.ca_file))
        container = Container(
            image=store.image_ref,
            resources=job.resources,
            command=["psql", "--no-psqlrc", "--file", f"{SQL_PATH}/ensure.sql"],
            env=[*client_env, *env],
            mounts=[Mount(name="script", path=SQL_PATH, source=ConfigMapFiles(config_map_name=script)), *db.mounts],
        )
        store.workload(
            self,
            "Job",
            component="database-ensure",
            container=container,
            controller=JobKind(backoff_limit=8, active_deadline_seconds=1800, ttl_seconds_after_finished=3600),
            component_values=job,
            talks_to=[db],
            # The Job is named after its spec: a changed script is a new Job, so an upgrade runs it.
            pod_annotations={"checksum/config": checksum(sql)},
        )
