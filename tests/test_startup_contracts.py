"""What Koku, ros-ocp-backend and Kruize need to start, as their source at the pinned images says,
checked on every pod of each program in every profile (none of them is published anywhere CI can
install it from, so its contract is stated here).

Koku: citations are to project-koku/koku at the image tag (``images.koku``, d8055ac):

- ``koku/koku/database.py:98-102``: with ``DATABASE_SERVICE_NAME`` set, ``config()`` reads
  ``DATABASE_ENGINE`` with no default; without it every process (API, workers, beat, listener,
  masu, migrations) exits at import with ``ImproperlyConfigured``.
- ``koku/api/migrations/0039_create_hive_db.py:16-29``: unless ``settings.ONPREM``
  (``koku/koku/settings.py:59``, default False) the migration creates and grants to Trino's
  ``hive`` role, which an on-prem server does not have.
- ``koku/api/migrations/0055_install_pg_stat_statements.py:11``: ``create extension if not exists
  pg_stat_statements``, which only a superuser may run (``tests/test_real_servers.py`` shows it
  against a real PostgreSQL); something with a superuser must make it first.
- Boolean settings are ``environ.Env.bool`` (django-environ: an integer other than 0, or one of
  true/on/ok/y/yes/1 in any case). ``koku/gunicorn_conf.py:42-46``: ``GUNICORN_THREADS`` true
  gives each API worker ``2 * POD_CPU_LIMIT + 1`` threads. ``koku/koku/celery.py:136-148``:
  ``SCHEDULE_REPORT_CHECKS`` true registers the hourly ``check_report_updates``, which polls only
  non-OCP sources (``koku/api/provider/models.py:76-85``); on-prem has OCP sources only, pushed by
  upload, so the beat must not register it.

ros-ocp-backend: citations are to RedHatInsights/ros-ocp-backend at the image tag (``images.ros``,
ae8c990). Outside Clowder (no ``ACG_CONFIG``) nothing is mandatory, but every setting falls back
to a developer's laptop, so a pod that lacks one starts and then talks to nobody:

- ``cmd/start.go:16-79``, ``cmd/db.go:35-49,388-398``: the subcommands are ``start api``, ``start
  processor``, ``start recommendation-poller``, ``start housekeeper`` with exactly one of
  ``--sources``/``--partitions`` (77-78), and ``db migrate up``. ``Dockerfile:10-15``: the binary
  is ``./rosocp`` in the image's working directory ``/``, next to ``migrations``, which
  ``cmd/db.go:26`` opens by a relative path.
- ``internal/config/config.go:185-199``: ``DB_HOST``/``DB_PORT``/``DB_NAME``/``DB_USER``/
  ``DB_PASSWORD`` default to ``localhost:15432`` and ``postgres``; every process opens the database
  (``internal/db/db.go:17-43``, fatal on error; ``cmd/db.go:22-33``). ``cmd/db.go:24`` always, and
  ``internal/db/db.go:31-35`` with TLS, write the CA to ``os.CreateTemp`` (``db.go:57-68``), so
  the temp directory must be writable.
- ``config.go:173``: ``KAFKA_BOOTSTRAP_SERVERS`` defaults to ``localhost:29092``; the processor,
  poller and ``housekeeper --sources`` consume (``internal/kafka/consumer.go:36-80``).
- ``config.go:236-238``: ``KRUIZE_URL`` defaults to ``http://localhost:8080``; the processor calls
  Kruize as it starts (``cmd/start.go:25``, ``internal/utils/utils.go:55-64``), the poller and the
  sources housekeeper on every message (``internal/utils/kruize/kruize_api.go:57,163,263``,
  ``internal/services/housekeeper/sourcesCleaner.go:69``).
- ``config.go:211``: ``SOURCES_API_BASE_URL`` defaults to ``http://127.0.0.1:8002``;
  ``housekeeper --sources`` exits unless the Sources API answers at start
  (``sourcesCleaner.go:24-32``, ``internal/utils/sources/sources_api.go:15-27``).
- ``config.go:208,230``: ``PROMETHEUS_PORT`` defaults to 5005 and ``API_PORT`` to 8000. The API
  serves ``/status`` on ``API_PORT`` (``internal/api/server.go:59,70-71``) and ``/metrics`` on
  ``PROMETHEUS_PORT`` (47-53); the processor and poller serve only ``/metrics`` on
  ``PROMETHEUS_PORT`` (``cmd/start.go:24,36``, ``utils.go:314-324``); the housekeeper and the
  migrations serve nothing.

Kruize: the image tag (``images.kruize``, d1f0140) is not a commit of kruize/autotune's public
history (nor are the tenant's earlier tags d0b4337 and bd937f6), so citations are to its newest
``mvp_demo`` commit, 276b5fed (the partition programs' call to ``setup_deployment_info`` and its
cluster-type check date from 2023).

- ``Dockerfile.autotune:75,107``: the server is the image's entrypoint, ``target/bin/Autotune``
  run from ``/home/autotune/app``; ``Autotune.java:325-330`` reads its DDLs relative to it.
  ``pom.xml:214-222``: the partition programs are ``target/bin/CreatePartition`` and
  ``RetentionPartition``.
- ``InitializeDeployment.java:43-63``, run by the server (``Autotune.java:123``) and by both
  partition programs (``CreatePartition.java:29``, ``RetentionPartition.java:19``), each of which
  exits 1 when it throws (``Autotune.java:178-181``, ``CreatePartition.java:50-54``,
  ``RetentionPartition.java:21-25``): ``clustertype`` must be ``kubernetes`` and ``k8stype`` one
  of minikube, openshift, icp or unset (``KruizeDeploymentInfo.java:120-143``,
  ``KruizeSupportedTypes.java:42-45``); ``monitoringagent`` must be ``prometheus``
  (``KruizeDeploymentInfo.java:164-174``, ``KruizeSupportedTypes.java:28-29``); with
  ``monitoringendpoint`` empty it looks ``monitoringservice`` up through the Kubernetes API
  (``InitializeDeployment.java:54-62``, ``DataSourceOperatorImpl.java:57-66,87-110``), which a
  pod without a ServiceAccount token cannot do.
- ``InitializeDeployment.java:83-157``, ``KruizeConstants.java:38,708-795``: each lower-case key is
  read from the env, over a JSON file's nested key (``database_hostname`` is
  ``database.hostname``): ``DB_CONFIG_FILE`` for the ``database_*`` keys, ``KRUIZE_CONFIG_FILE``
  for the rest. ``KruizeHibernateUtil.java:40-85``: the session factory needs ``dbdriver``, the
  database host, port, name, user and password and every ``hibernate_*`` key (a missing one
  leaves no factory, so the DDLs or the first session fail). ``Autotune.java:184``: the server
  unboxes ``savetodb``, so it must be set.
- ``ServerContext.java:24,29-30,38``, ``Autotune.java:100-103,300-305``, ``Analyzer.java:50``: it
  listens on ``AUTOTUNE_SERVER_PORT`` (default 8080) and serves ``/health``, ``/metrics`` and
  ``/listPerformanceProfiles``.
- ``monitoringendpoint`` is stored (``InitializeDeployment.java:63``) and read only where an empty
  one is resolved (``DataSourceOperatorImpl.java:57-66``, called only from
  ``InitializeDeployment.java:60``) and by the autotune trial loop, which ROS does not run;
  ``monitoringservice`` only by that lookup. Neither is contacted, so neither may name a host.
- Datasources: only with ``local`` true (default false, ``KruizeDeploymentInfo.java:79``) does
  the server set up the JSON list in the ``datasource`` key (``KruizeConstants.java:781,791``,
  ``DataSourceCollection.java:142-150``), checking each is reachable and throwing when none is
  (241-242), then local-monitoring profiles and the autoscaler, which lists DaemonSets through
  the Kubernetes API (``Autotune.java:132-172,209-212``, ``AutoscalingSettings.java:46-56``).
  ROS creates ``remote`` experiments with a named performance profile (ros-ocp-backend
  ``internal/types/kruizePayload/createExperiment.go:40-42``), which Kruize reads from its
  database, not a datasource (``ExperimentValidation.java:99-125``, with ``isROSEnabled``
  default true, ``KruizeDeploymentInfo.java:91``); ROS's own SaaS deployment runs Kruize with
  ``local`` false (ros-ocp-backend ``kruize-clowdapp.yaml:75-76``).

insights-ingress-go: citations are to RedHatInsights/insights-ingress-go at the image tag
(``images.ingress``, sha-b16f1c2: commit b16f1c27). Outside Clowder (no ``ACG_CONFIG``) nothing is
mandatory, but the defaults point at Red Hat's own cloud, so a pod that lacks a setting starts and
then stores or announces nowhere:

- ``Dockerfile.upstream:29-31`` (the workflow that publishes ``quay.io/iop/ingress`` builds it,
  ``.github/workflows/container-publish.yaml``): the program is the image's CMD.
- ``internal/config/config.go:153-154``: every setting is ``INGRESS_`` plus the upper-cased key.
- ``config.go:136-137``, ``cmd/insights-ingress/main.go:151-160,168-178``: it serves its API and
  ``/`` on ``INGRESS_WEBPORT`` (default 3000) and ``/`` and ``/metrics`` on ``INGRESS_METRICSPORT``
  (default 8080); ``/`` needs no identity (``main.go:153,159``).
- ``config.go:152``, ``main.go:45-68``: ``INGRESS_STAGERIMPLEMENTATION`` s3 stores in S3;
  ``internal/stage/s3compat/s3compat.go:19-35``: with ``INGRESS_MINIOENDPOINT`` empty it stores in
  ``s3.amazonaws.com``; the endpoint is ``host:port`` without a scheme (``config.go:198``).
  ``config.go:122-125``: ``INGRESS_STAGEBUCKET`` defaults to ``available`` and the keys to empty.
  ``s3compat.go:66-72``: the announced URL is presigned for that endpoint.
- ``config.go:114,118``: ``INGRESS_KAFKABROKERS`` defaults to ``kafka:29092`` and the announce
  topic to ``platform.upload.announce``, which Koku's listener consumes (project-koku/koku
  ``koku/masu/external/kafka_msg_handler.py:873-875`` processes only the ``hccm`` service).
  ``config.go:146`` and ``internal/validators/kafka/kafka.go:109-118``: an upload whose service is
  not in ``INGRESS_VALID_UPLOAD_TYPES`` (default ``unit,announce``) is refused (415).
- ``config.go:260-264``: the SASL mechanism and password are read only when
  ``INGRESS_KAFKAUSERNAME`` is set; ``internal/queue/queue.go:61-70``: the security protocol is
  applied only with a SASL mechanism, the CA whenever ``INGRESS_KAFKACA`` is set.
- ``internal/upload/upload.go:38-44``: a multipart upload beyond ``INGRESS_MAXUPLOADMEM`` is
  written by Go's ``mime/multipart`` to the temp directory, so ``/tmp`` must be writable.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import PROFILES, container_env, notes_of, objects, profile_values
from dangling import _resolve, build_index, endpoints
from test_gate import MATRIX, matrix_objects, matrix_values

from ros_constructs.app import new_release

KOKU_PROFILES = [p for p in PROFILES if profile_values(p).cost_management.enabled]
ROS_PROFILES = [p for p in PROFILES if profile_values(p).ros.enabled]
KOKU_MIGRATIONS = "db-migrate"
ROS_SUBCOMMANDS = {
    ("start", "api"),
    ("start", "processor"),
    ("start", "recommendation-poller"),
    ("start", "housekeeper", "--sources"),
    ("start", "housekeeper", "--partitions"),
    ("db", "migrate", "up"),
}
ROS_DATABASE = ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD")
ROS_CONSUMERS = {("start", "processor"), ("start", "recommendation-poller"), ("start", "housekeeper", "--sources")}
"""The Kafka consumers, which are also Kruize's clients."""
KRUIZE_BIN = "/home/autotune/app/target/bin"
KRUIZE_HIBERNATE = ("dialect", "driver", "c3p0minsize", "c3p0maxsize", "c3p0timeout", "c3p0maxstatements")
KRUIZE_SETTINGS = (
    "dbdriver",
    "database_username",
    "database_password",
    *(f"hibernate_{key}" for key in (*KRUIZE_HIBERNATE, "hbm2ddlauto", "showsql", "timezone")),
)
KRUIZE_DATABASE_FILE_KEYS = ("hostname", "port", "name")
KRUIZE_PATHS = {"/health", "/metrics", "/listPerformanceProfiles"}


def koku_pods(docs: list[dict[str, Any]], image: str) -> list[dict[str, Any]]:
    """The pod owners whose main container runs ``image`` (Koku's, ros-ocp-backend's, Kruize's)."""
    found = []
    for obj in docs:
        spec = obj.get("spec", {})
        template = spec.get("jobTemplate", {}).get("spec", {}).get("template") or spec.get("template")
        pod_owner = obj["kind"] in ("Deployment", "StatefulSet", "Job", "CronJob")
        if pod_owner and template and template["spec"]["containers"][0]["image"] == image:
            found.append(obj)
    return found


@pytest.mark.parametrize("profile", KOKU_PROFILES)
def test_every_koku_process_gets_the_database_engine(profile: str) -> None:
    docs = objects(profile)
    pods = koku_pods(docs, profile_values(profile).images.koku.ref)
    assert pods, "no Koku pod found"
    for obj in pods:
        env = container_env(obj, docs)
        if "DATABASE_SERVICE_NAME" in env:
            assert env.get("DATABASE_ENGINE") == "postgresql", obj["metadata"]["name"]


@pytest.mark.parametrize("profile", KOKU_PROFILES)
def test_koku_migrations_run_on_prem(profile: str) -> None:
    values, docs = profile_values(profile), objects(profile)
    migrations = [
        o
        for o in koku_pods(docs, values.images.koku.ref)
        if o["metadata"]["labels"]["app.kubernetes.io/component"] == KOKU_MIGRATIONS
    ]
    assert len(migrations) == (1 if values.cost_management.api.migrations.enabled else 0)
    for job in migrations:
        onprem = container_env(job, docs).get("ONPREM")
        assert onprem == ("True" if values.cost_management.runtime.onprem else "False"), onprem


@pytest.mark.parametrize("profile", KOKU_PROFILES)
def test_kokus_database_has_pg_stat_statements_before_migrations(profile: str) -> None:
    """Made by the database-ensure Job as a superuser, or named in NOTES.txt for an external server."""
    values = profile_values(profile)
    if values.database.mode == "external":
        assert "CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;" in notes_of(values)
        return
    scripts = [
        o["data"]["ensure.sql"]
        for o in objects(profile)
        if o["kind"] == "ConfigMap" and "ensure.sql" in o.get("data", {})
    ]
    assert len(scripts) == 1
    database = values.database.koku.name
    made_in_koku = scripts[0].split(f'\\connect "{database}"\n', 1)[1].split("\\connect postgres", 1)[0]
    assert 'CREATE EXTENSION "pg_stat_statements" SCHEMA public' in made_in_koku


def koku_bool(value: Any) -> bool:
    """How Koku's ``environ.Env.bool`` reads a setting."""
    text = str(value).strip()
    return int(text) != 0 if text.lstrip("-").isdigit() else text.lower() in ("true", "on", "ok", "y", "yes", "1")


def koku_component_env(profile: str, component: str) -> list[dict[str, Any]]:
    values, docs = profile_values(profile), objects(profile)
    pods = koku_pods(docs, values.images.koku.ref)
    return [container_env(o, docs) for o in pods if o["metadata"]["labels"]["app.kubernetes.io/component"] == component]


@pytest.mark.parametrize("profile", KOKU_PROFILES)
def test_koku_beat_registers_no_report_checks_on_prem(profile: str) -> None:
    values = profile_values(profile)
    beats = koku_component_env(profile, "celery-beat")
    assert len(beats) == (1 if values.cost_management.beat.enabled else 0)
    for env in beats:
        assert koku_bool(env.get("ONPREM", False)) == values.cost_management.runtime.onprem
        assert not (koku_bool(env.get("ONPREM", False)) and koku_bool(env.get("SCHEDULE_REPORT_CHECKS", False)))


@pytest.mark.parametrize("profile", KOKU_PROFILES)
def test_koku_api_reads_gunicorn_threads_as_the_values_say(profile: str) -> None:
    api = profile_values(profile).cost_management.api
    specs = {"api-reads": api.reads, "api-writes": api.writes} if api.mode == "split" else {"api": api.unified}
    for component, spec in specs.items():
        envs = koku_component_env(profile, component)
        assert envs, component
        for env in envs:
            assert koku_bool(env["GUNICORN_THREADS"]) == spec.gunicorn.threads, component


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
    pod: dict[str, Any] = spec["template"]["spec"]
    return pod


def env_of(container: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, Any]:
    """Any container's env as Kubernetes resolves it (:func:`container_env` reads the main one)."""
    return container_env({"kind": "Pod", "spec": {"template": {"spec": {"containers": [container]}}}}, docs)


def ros_pods(profile: str) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """The profile's objects and (pod owner, resolved main-container env) for every ros-ocp-backend pod."""
    docs = objects(profile)
    pods = [(obj, container_env(obj, docs)) for obj in koku_pods(docs, profile_values(profile).images.ros.ref)]
    assert pods, "no ros-ocp-backend pod found"
    return docs, pods


def subcommand(obj: dict[str, Any]) -> tuple[str, ...]:
    return tuple(pod_spec(obj)["containers"][0].get("args", []))


def container_port(container: dict[str, Any], port: int | str) -> int:
    """A probe's or Service's port (a number or a port name) as the container's port number."""
    if isinstance(port, int):
        return port
    return next(int(p["containerPort"]) for p in container.get("ports", []) if p["name"] == port)


def served_by_service(url: str, docs: list[dict[str, Any]]) -> dict[str, Any]:
    """The pod owner that the Service ``url`` names (``http://<service>.<namespace>.svc:<port>``)
    sends to, after checking that the Service's port leads to a port that pod's container opens."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    name, namespace = host.split(".")[:2]
    service = next(
        o
        for o in docs
        if o["kind"] == "Service" and o["metadata"]["name"] == name and o["metadata"]["namespace"] == namespace
    )
    port = next(p for p in service["spec"]["ports"] if p["port"] == parts.port)
    selector = service["spec"]["selector"].items()
    owner = next(
        o for o in docs if o["kind"] == "Deployment" and selector <= o["spec"]["template"]["metadata"]["labels"].items()
    )
    main = pod_spec(owner)["containers"][0]
    assert container_port(main, port["targetPort"]) in {p["containerPort"] for p in main.get("ports", [])}, url
    return owner


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_every_ros_process_runs_an_existing_subcommand(profile: str) -> None:
    _, pods = ros_pods(profile)
    for obj, _env in pods:
        main = pod_spec(obj)["containers"][0]
        assert main["command"] == ["./rosocp"], obj["metadata"]["name"]
        assert subcommand(obj) in ROS_SUBCOMMANDS, obj["metadata"]["name"]
        assert main.get("workingDir", "/") == "/", obj["metadata"]["name"]


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_every_ros_process_gets_its_database(profile: str) -> None:
    """Also a writable temp dir, where the migrations (always) and TLS connections write the CA."""
    _, pods = ros_pods(profile)
    for obj, env in pods:
        name = obj["metadata"]["name"]
        assert not [key for key in ROS_DATABASE if not env.get(key)], name
        main = pod_spec(obj)["containers"][0]
        if subcommand(obj) == ("db", "migrate", "up") or env.get("DB_SSL", "disable") != "disable":
            read_only = main.get("securityContext", {}).get("readOnlyRootFilesystem", False)
            assert not read_only or "/tmp" in {m["mountPath"] for m in main.get("volumeMounts", [])}, name


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_ros_consumers_get_the_kafka_brokers(profile: str) -> None:
    _, pods = ros_pods(profile)
    consumers = [(obj, env) for obj, env in pods if subcommand(obj) in ROS_CONSUMERS]
    assert consumers
    for obj, env in consumers:
        assert env.get("KAFKA_BOOTSTRAP_SERVERS"), obj["metadata"]["name"]


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_ros_kruize_clients_reach_kruize(profile: str) -> None:
    docs, pods = ros_pods(profile)
    kruize = profile_values(profile).images.kruize.ref
    for obj, env in pods:
        if subcommand(obj) in ROS_CONSUMERS:
            assert "KRUIZE_URL" in env, obj["metadata"]["name"]
            assert pod_spec(served_by_service(env["KRUIZE_URL"], docs))["containers"][0]["image"] == kruize


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_ros_sources_housekeeper_reaches_the_sources_api(profile: str) -> None:
    """The housekeeper GETs ``{SOURCES_API_BASE_URL}{SOURCES_API_PREFIX}/application_types`` without
    an identity (ROS@ae8c990:internal/utils/sources/sources_api.go). On-prem Koku serves that under
    ``/api/cost-management/v1`` when ONPREM is set and exempts it from auth (KO@d8055ac:
    koku/api/urls.py:127-129; koku/koku/middleware.py:61-63): with Cost Management on, the housekeeper
    asks Koku's API; in ROS-only mode, sources-api-go under its own prefix."""
    docs, pods = ros_pods(profile)
    values = profile_values(profile)
    koku = values.cost_management.enabled
    image, prefix = (
        (values.images.koku.ref, f"{values.cost_management.api.path_prefix}/v1")
        if koku
        else (values.images.sources.ref, "/api/sources/v3.1")
    )
    housekeepers = [(o, e) for o, e in pods if subcommand(o) == ("start", "housekeeper", "--sources")]
    assert housekeepers, "the housekeeper runs in every mode with ROS"
    for obj, env in housekeepers:
        assert env["SOURCES_API_PREFIX"] == prefix, obj["metadata"]["name"]
        owner = served_by_service(env["SOURCES_API_BASE_URL"], docs)
        server = pod_spec(owner)["containers"][0]
        assert server["image"] == image
        if koku:
            assert container_env(owner, docs)["ONPREM"] == "True" and "GUNICORN_WORKERS" in container_env(owner, docs)


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_ros_ports_are_the_ports_it_listens_on(profile: str) -> None:
    """Every port a backend container opens or is probed on is one its subcommand listens on."""
    _, pods = ros_pods(profile)
    for obj, env in pods:
        main, command = pod_spec(obj)["containers"][0], subcommand(obj)
        metrics, api = int(env.get("PROMETHEUS_PORT", 5005)), int(env.get("API_PORT", 8000))
        listens: dict[int, str] = {}
        if command == ("start", "api"):
            listens = {api: "/status", metrics: "/metrics"}
        elif command in {("start", "processor"), ("start", "recommendation-poller")}:
            listens = {metrics: "/metrics"}
        name = obj["metadata"]["name"]
        assert {p["containerPort"] for p in main.get("ports", [])} <= set(listens), name
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            if kind in main:
                probe = main[kind]["httpGet"]
                assert listens.get(container_port(main, probe["port"])) == probe["path"], (name, kind)


def kruize_containers(profile: str) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """The profile's objects and (pod owner, container) for every container running Kruize's image."""
    docs, image = objects(profile), profile_values(profile).images.kruize.ref
    found = [
        (obj, container)
        for obj in docs
        if obj["kind"] in ("Deployment", "CronJob", "Job")
        for container in [*pod_spec(obj).get("initContainers", []), *pod_spec(obj)["containers"]]
        if container["image"] == image
    ]
    assert found, "no Kruize container found"
    return docs, found


def is_server(container: dict[str, Any]) -> bool:
    return "command" not in container


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_every_kruize_container_runs_a_kruize_program(profile: str) -> None:
    _, containers = kruize_containers(profile)
    assert sum(is_server(c) for _, c in containers) == 1
    for _, container in containers:
        assert "workingDir" not in container and "args" not in container, container["name"]
        if not is_server(container):
            assert container["command"] in ([f"{KRUIZE_BIN}/CreatePartition"], [f"{KRUIZE_BIN}/RetentionPartition"])


def kruize_deployment_settings(profile: str, server: bool) -> None:
    docs, containers = kruize_containers(profile)
    for obj, container in containers:
        if is_server(container) != server:
            continue
        env, name = env_of(container, docs), container["name"]
        assert env.get("clustertype") == "kubernetes", name
        assert env.get("k8stype") in ("minikube", "openshift", "icp", None), name
        assert env.get("monitoringagent") == "prometheus", name
        assert env.get("monitoringendpoint"), f"{name}: would look its monitoring service up in the cluster"
        assert pod_spec(obj).get("automountServiceAccountToken") is False, name


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_kruize_server_gets_its_deployment_settings(profile: str) -> None:
    kruize_deployment_settings(profile, server=True)


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_kruize_partition_programs_get_the_deployment_settings(profile: str) -> None:
    kruize_deployment_settings(profile, server=False)


def kruize_database_file(obj: dict[str, Any], container: dict[str, Any], path: str, docs: list[dict[str, Any]]) -> Any:
    """The JSON document mounted at ``path`` from a Secret (Kruize's ``DB_CONFIG_FILE``)."""
    mount = next(m for m in container.get("volumeMounts", []) if path.startswith(m["mountPath"] + "/"))
    volume = next(v for v in pod_spec(obj)["volumes"] if v["name"] == mount["name"])
    key = next(i["key"] for i in volume["secret"]["items"] if i["path"] == path.removeprefix(mount["mountPath"] + "/"))
    secret = next(o for o in docs if o["kind"] == "Secret" and o["metadata"]["name"] == volume["secret"]["secretName"])
    return json.loads(secret["stringData"][key])


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_kruize_reads_no_datasource_and_names_no_missing_host(profile: str) -> None:
    """Remote monitoring only: no datasource list, and the monitoring keys name no host that the
    output lacks and NOTES.txt does not list as a prerequisite."""
    docs, containers = kruize_containers(profile)
    values = profile_values(profile)
    index = build_index(docs, notes_of(values), values.namespace)
    for _, container in containers:
        env, name = env_of(container, docs), container["name"]
        assert str(env.get("local", "false")).lower() == "false", f"{name}: would set up datasources"
        assert not {"datasource", "KRUIZE_CONFIG_FILE"} & set(env), name
        for key in ("monitoringendpoint", "monitoringservice"):
            for endpoint in endpoints(str(env.get(key, "")), host_setting=True):
                assert not _resolve(index, f"{name} {key}", endpoint, endpoint.port, "")


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_every_kruize_program_gets_its_database(profile: str) -> None:
    docs, containers = kruize_containers(profile)
    for obj, container in containers:
        env, name = env_of(container, docs), container["name"]
        assert not [key for key in KRUIZE_SETTINGS if key not in env], name
        if is_server(container):
            assert env.get("savetodb") in ("true", "false"), name
        from_file = kruize_database_file(obj, container, env["DB_CONFIG_FILE"], docs) if "DB_CONFIG_FILE" in env else {}
        for key in KRUIZE_DATABASE_FILE_KEYS:
            assert f"database_{key}" in env or key in from_file.get("database", {}), (name, key)


@pytest.mark.parametrize("profile", ROS_PROFILES)
def test_kruize_serves_the_port_it_is_probed_on(profile: str) -> None:
    docs, containers = kruize_containers(profile)
    server = next(c for _, c in containers if is_server(c))
    port = int(env_of(server, docs).get("AUTOTUNE_SERVER_PORT", 8080))
    assert [p["containerPort"] for p in server["ports"]] == [port]
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        probe = server[kind]["httpGet"]
        assert container_port(server, probe["port"]) == port and probe["path"] in KRUIZE_PATHS, kind


INGRESS_CASES = [*PROFILES, *MATRIX]
"""Every profile on its platform and every matrix file on both platforms."""
INGRESS_ANNOUNCES = "platform.upload.announce"
"""The topic Koku's listener consumes."""


def ingress_go(case: str) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """The case's objects and (pod owner, resolved main-container env) of every insights-ingress-go pod."""
    values = matrix_values(case) if case in MATRIX else profile_values(case)
    docs = matrix_objects(case) if case in MATRIX else objects(case)
    pods = [(obj, container_env(obj, docs)) for obj in koku_pods(docs, values.images.ingress.ref)]
    assert len(pods) == (1 if values.cost_management.enabled else 0), case
    return docs, pods


@pytest.mark.parametrize("case", INGRESS_CASES)
def test_ingress_go_runs_its_image_program_where_it_may_spill_uploads(case: str) -> None:
    _, pods = ingress_go(case)
    for obj, _env in pods:
        main = pod_spec(obj)["containers"][0]
        assert "command" not in main and "args" not in main, obj["metadata"]["name"]
        read_only = main.get("securityContext", {}).get("readOnlyRootFilesystem", False)
        assert not read_only or "/tmp" in {m["mountPath"] for m in main.get("volumeMounts", [])}


@pytest.mark.parametrize("case", INGRESS_CASES)
def test_ingress_go_is_probed_and_scraped_where_it_listens(case: str) -> None:
    docs, pods = ingress_go(case)
    for obj, env in pods:
        main = pod_spec(obj)["containers"][0]
        web, metrics = int(env.get("INGRESS_WEBPORT", 3000)), int(env.get("INGRESS_METRICSPORT", 8080))
        assert web != metrics
        assert {p["containerPort"] for p in main["ports"]} == {web, metrics}
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            probe = main[kind]["httpGet"]
            assert (container_port(main, probe["port"]), probe["path"]) == (web, "/"), kind
        labels = obj["spec"]["template"]["metadata"]["labels"].items()
        services = [o for o in docs if o["kind"] == "Service" and o["spec"]["selector"].items() <= labels]
        named = next(p["name"] for p in main["ports"] if p["containerPort"] == metrics)
        targets = {p["targetPort"] for s in services for p in s["spec"]["ports"]}
        assert targets & {named, metrics}, "the metrics port is on no Service, so no ServiceMonitor scrapes it"


@pytest.mark.parametrize("case", INGRESS_CASES)
def test_ingress_go_stores_uploads_in_the_upload_bucket(case: str) -> None:
    values = matrix_values(case) if case in MATRIX else profile_values(case)
    _, pods = ingress_go(case)
    bucket = new_release(values).connections.object_storage.buckets["upload"]
    for obj, env in pods:
        assert env.get("INGRESS_STAGERIMPLEMENTATION", "s3") == "s3"
        endpoint = env["INGRESS_MINIOENDPOINT"]
        assert "://" not in endpoint and endpoint.rsplit(":", 1)[1], endpoint
        if bucket.claim:  # ODF: the claim's host and port, as the pod composes them
            assert endpoint == "$(BUCKET_HOST):$(BUCKET_PORT)"
            assert env["BUCKET_HOST"] == {"configMapKeyRef": {"name": bucket.claim, "key": "BUCKET_HOST"}}
            assert env["INGRESS_STAGEBUCKET"] == {"configMapKeyRef": {"name": bucket.claim, "key": "BUCKET_NAME"}}
        else:
            assert env["INGRESS_STAGEBUCKET"] == values.object_storage.buckets.upload
        for key, ref in (("INGRESS_MINIOACCESSKEY", bucket.access_key), ("INGRESS_MINIOSECRETKEY", bucket.secret_key)):
            assert env[key] == {"secretKeyRef": {"name": ref.name, "key": ref.key}}, key
        assert env["INGRESS_USESSL"] in ("true", "false")
        ca = env.get("SSL_CERT_FILE")
        mounts = {m["mountPath"] for m in pod_spec(obj)["containers"][0].get("volumeMounts", [])}
        assert ca is None or ca.rsplit("/", 1)[0] in mounts, ca


@pytest.mark.parametrize("case", INGRESS_CASES)
def test_ingress_go_announces_hccm_uploads_to_kokus_listener(case: str) -> None:
    values = matrix_values(case) if case in MATRIX else profile_values(case)
    _, pods = ingress_go(case)
    for obj, env in pods:
        assert env["INGRESS_KAFKABROKERS"] == new_release(values).connections.kafka.bootstrap_servers
        assert env.get("INGRESS_KAFKAANNOUNCETOPIC", INGRESS_ANNOUNCES) == INGRESS_ANNOUNCES
        assert "hccm" in env["INGRESS_VALID_UPLOAD_TYPES"].split(",")
        assert env.get("INGRESS_AUTH", "true") == "true"
        protocol = env.get("INGRESS_KAFKASECURITYPROTOCOL", "PLAINTEXT")
        if protocol.startswith("SASL_"):
            assert {"INGRESS_SASLMECHANISM", "INGRESS_KAFKAUSERNAME", "INGRESS_KAFKAPASSWORD"} <= set(env)
        else:
            assert protocol == "PLAINTEXT", "the program applies a security protocol only with SASL"
        if protocol.endswith("SSL") and values.kafka.mode == "strimzi":
            mounts = {m["mountPath"] for m in pod_spec(obj)["containers"][0].get("volumeMounts", [])}
            assert env["INGRESS_KAFKACA"].rsplit("/", 1)[0] in mounts
