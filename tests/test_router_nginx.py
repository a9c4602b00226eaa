"""The API router's nginx.conf in real nginx (Debian package): routing, redirects, the preStop drain.

The backends are Python HTTP servers on loopback that name themselves in ``X-Backend``. nginx
runs ``nginx_config``'s output with its own port and run dir and each upstream Service address
sent to a backend (cluster DNS is what a test machine lacks). Without nginx the tests skip and
say what to install.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import free_port, objects

from ros_constructs.cost_management.router import RUN_DIR, Upstreams, drain_command, nginx_config

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
PREFIX = "/api/cost-management"
UPSTREAMS = Upstreams(reads="reads", writes="writes", port=8000, ros_api="ros", ros_api_port=8000)
ROUTER = "cost-onprem-api-router"
DRAIN = 1
"""The drain test's DRAIN_SECONDS: the pod's, shortened."""
Response = tuple[http.client.HTTPResponse, bytes]


class Echo(BaseHTTPRequestHandler):
    """Answers any method with ``<method> <path>`` and its backend in ``X-Backend``, after ``?sleep=<s>``."""

    backend = ""

    def answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(float(parse_qs(urlsplit(self.path).query).get("sleep", ["0"])[0]))
        body = f"{self.command} {self.path}".encode()
        self.send_response(200)
        self.send_header("X-Backend", self.backend)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


def on_loopback(conf: str, ports: Mapping[str, int]) -> str:
    """``conf`` with each ``server <service>.<namespace>.svc:<port>;`` at 127.0.0.1:``ports[<service>]``."""
    local = re.sub(r"server ([a-z0-9-]+)\.[a-z0-9-]+\.svc:\d+;", lambda m: f"server 127.0.0.1:{ports[m[1]]};", conf)
    assert ".svc" not in local
    return local


@dataclass(frozen=True)
class Router:
    process: subprocess.Popen[bytes]
    port: int
    conf: Path
    log: Path

    def request(self, method: str, path: str, headers: Mapping[str, str] | None = None) -> Response:
        """One request on its own connection; redirects are not followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, headers=dict(headers or {}))
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()


@contextlib.contextmanager
def running_router(nginx: str, run_dir: Path, backends: Mapping[str, int]) -> Iterator[Router]:
    """nginx in the foreground on a free loopback port, its pid and temp files in ``run_dir``."""
    port = free_port()
    conf, log = run_dir / "nginx.conf", run_dir / "nginx.log"
    rendered = nginx_config(
        UPSTREAMS, namespace="test", path_prefix=PREFIX, listen=f"127.0.0.1:{port}", run_dir=str(run_dir)
    )
    conf.write_text(on_loopback(rendered, backends))
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [nginx, "-e", "stderr", "-c", str(conf), "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=stderr
        )
    router = Router(process, port, conf, log)
    try:
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None and time.monotonic() < deadline, f"nginx did not start: {log.read_text()}"
            with contextlib.suppress(OSError):
                if router.request("GET", "/healthz")[0].status == 200:
                    break
            time.sleep(0.05)
        yield router
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def nginx() -> str:
    if NGINX is None:
        pytest.skip("nginx not installed: apt-get install nginx")
    return NGINX


@pytest.fixture(scope="module")
def backends() -> Iterator[dict[str, int]]:
    """The reads, writes and ros backends: name -> port."""
    names = ("reads", "writes", "ros")
    servers = {n: ThreadingHTTPServer(("127.0.0.1", 0), type(f"Echo_{n}", (Echo,), {"backend": n})) for n in names}
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {name: server.server_address[1] for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def router(nginx: str, backends: dict[str, int], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Router]:
    with running_router(nginx, tmp_path_factory.mktemp("nginx"), backends) as running:
        yield running


def synthesized(kind: str) -> dict[str, Any]:
    (found,) = [o for o in objects("default") if o["kind"] == kind and o["metadata"]["name"] == ROUTER]
    return found


def test_nginx_accepts_the_synthesized_config(nginx: str, tmp_path: Path) -> None:
    conf = synthesized("ConfigMap")["data"]["nginx.conf"]
    services = ["cost-onprem-api-reads", "cost-onprem-api-writes", "cost-onprem-rosocp-api"]
    # -t resolves the upstreams and writes the pid file and temp dirs: loopback and tmp_path, nothing else.
    local = on_loopback(conf, dict.fromkeys(services, 8000)).replace(f"{RUN_DIR}/", f"{tmp_path}/")
    (tmp_path / "nginx.conf").write_text(local)
    result = subprocess.run(
        [nginx, "-t", "-e", "stderr", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.parametrize(
    ("method", "path", "backend"),
    [
        *[(m, f"{PREFIX}/v1/reports/openshift/costs/", "reads") for m in ("GET", "HEAD")],
        *[(m, f"{PREFIX}/v1/cost-models/", "writes") for m in ("POST", "PUT", "DELETE", "PATCH")],
        ("GET", f"{PREFIX}/v1/recommendations/openshift?limit=1", "ros"),
    ],
)
def test_each_request_reaches_its_backend(router: Router, method: str, path: str, backend: str) -> None:
    response, body = router.request(method, path)
    assert (response.status, response.getheader("X-Backend")) == (200, backend)
    assert body == (b"" if method == "HEAD" else f"{method} {path}".encode())  # path and query unchanged


def test_the_recommendations_root_redirects_relative_to_what_the_client_reached(router: Router) -> None:
    """Behind a Route, Ingress or Gateway the client speaks https on 443, not http on nginx's port."""
    edge = {"Host": "cost.example.com", "X-Forwarded-Proto": "https"}
    response, _ = router.request("GET", f"{PREFIX}/v1/recommendations?limit=1", headers=edge)
    assert (response.status, response.getheader("Location")) == (301, f"{PREFIX}/v1/recommendations/?limit=1")


def test_the_drain_quits_without_parsing_the_config_and_lets_requests_finish(
    nginx: str, backends: dict[str, int], tmp_path: Path
) -> None:
    (container,) = synthesized("Deployment")["spec"]["template"]["spec"]["containers"]
    assert container["lifecycle"]["preStop"]["exec"]["command"] == drain_command()  # run below in tmp_path, shorter
    with running_router(nginx, tmp_path, backends) as router:
        # The kubelet updates the mounted ConfigMap in place; an upstream name in it that does not
        # resolve (a Service not created yet, or gone) fails every command that parses it again.
        router.conf.write_text(router.conf.read_text().replace(f"127.0.0.1:{backends['ros']}", "ros.test.invalid:8000"))
        old = subprocess.run(
            [nginx, "-e", "stderr", "-c", str(router.conf), "-s", "quit"], capture_output=True, text=True, timeout=30
        )
        assert old.returncode != 0
        assert 'host not found in upstream "ros.test.invalid:8000"' in old.stderr
        assert router.process.poll() is None
        with ThreadPoolExecutor(max_workers=1) as pool:
            slow = pool.submit(router.request, "GET", f"{PREFIX}/v1/reports/?sleep={DRAIN + 1.5}")
            started = time.monotonic()
            drain = subprocess.Popen(drain_command(run_dir=str(tmp_path), drain_seconds=DRAIN), stderr=subprocess.PIPE)
            try:
                during, _ = router.request("GET", f"{PREFIX}/v1/status/")  # served while endpoints drop the pod
                _, drain_stderr = drain.communicate(timeout=60)
            finally:
                drain.kill()  # a no-op once it has exited
            took = time.monotonic() - started
            response, body = slow.result()
        assert drain.returncode == 0, drain_stderr
        # Promptly: the pod's grace period is DRAIN_SECONDS + PROXY_READ_TIMEOUT + 10 s.
        assert DRAIN <= took < DRAIN + 10
        assert router.process.wait(timeout=5) == 0
        assert not (tmp_path / "nginx.pid").exists()
        assert (during.status, during.getheader("X-Backend")) == (200, "reads")
        assert (response.status, response.getheader("X-Backend")) == (200, "reads")
        assert body == f"GET {PREFIX}/v1/reports/?sleep={DRAIN + 1.5}".encode()  # the in-flight request completed
