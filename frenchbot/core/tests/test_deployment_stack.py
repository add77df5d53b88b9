"""The production stack as docs/deployment.md builds it, on loopback: deploy/nginx-frenchbot.conf, then
deploy/Caddyfile (TLS with a certificate made here, HTTP→HTTPS, gzip, static files, the bot's stream) in front of
uvicorn started with the web unit's own arguments and the production settings with HTTPS on.

Each proxy runs from a folder of its own (pid, logs, temporary files); the system's nginx or Caddy is untouched.
"""

import gzip
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .deploy_files import BASE_DIR, DEPLOY_DIR, unit_exec_start, unit_values

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
CADDY = shutil.which("caddy")
OPENSSL = shutil.which("openssl")
MIME_TYPES = Path("/etc/nginx/mime.types")
HOST = "localhost"
# The ports this suite may use (shared machines hand out ranges).
PORT_RANGE = range(18450, 18500)
_ports_taken: set[int] = set()
PROXIES = ["nginx", "caddy"]

pytestmark = pytest.mark.skipif(
    OPENSSL is None, reason="openssl manquant : apt-get install openssl (tests du proxy TLS ignorés)"
)


def _port() -> int:
    for port in PORT_RANGE:
        if port in _ports_taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_taken.add(port)
        return port
    raise RuntimeError("no free port in 18450-18499")


class FakeModel:
    """An OpenAI-compatible server that streams the first half of its answer, then waits until the test says
    it has seen those words arrive through nginx (or gives up after a while): a proxy that held the stream
    back would leave the test waiting, and the answer would end only once the model gave up."""

    def __init__(self) -> None:
        # One per answer: set by the test once the first words reached it.
        self.seen_by_client = threading.Event()
        self.released_by_client: bool | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", _port()), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def _handler(self):
        model = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                model.seen_by_client, model.released_by_client = threading.Event(), None
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                # More than the leak guard holds back (80 characters), so words go out before the pause.
                for number in range(40):
                    self._delta(f"mot{number} ")
                model.released_by_client = model.seen_by_client.wait(timeout=30)
                for number in range(40, 50):
                    self._delta(f"mot{number} ")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _delta(self, text: str) -> None:
                chunk = {
                    "id": "c1",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "fake",
                    "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

        return Handler


def _nginx_site(
    *, http_port: int, https_port: int, app_port: int, cert: Path, key: Path, static: Path
) -> str:
    """deploy/nginx-frenchbot.conf moved to loopback ports, this test's certificate and static folder.
    Each replacement must apply: an edit of the file that this test no longer follows fails here."""
    site = (DEPLOY_DIR / "nginx-frenchbot.conf").read_text()
    replacements = [
        ("listen [::]:80 default_server;", ""),
        ("listen [::]:443 ssl default_server;", ""),
        ("listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;"),
        ("listen 443 ssl default_server;", f"listen 127.0.0.1:{https_port} ssl default_server;"),
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/example.fr/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/example.fr/privkey.pem", str(key)),
        ("/srv/frenchbot/var/static/", f"{static}/"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("server_name example.fr;", f"server_name {HOST};"),
    ]
    for old, new in replacements:
        assert old in site, f"{old!r} is no longer in deploy/nginx-frenchbot.conf: update this test"
        site = site.replace(old, new)
    return site


def _nginx_main(*, prefix: Path, site: Path) -> str:
    temp = "\n".join(
        f"    {name}_temp_path {prefix / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Run by root (a container), nginx hands requests to unprivileged workers.
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    return f"""{user}
daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log off;
{temp}
    include {site};
}}
"""


def _wait_for(check, what: str, process: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            check()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{what} did not answer within {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    assert result.returncode == 0, result.stderr[-3000:]


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _caddy_site(
    *, http_port: int, https_port: int, app_port: int, cert: Path, key: Path, static: Path
) -> str:
    """deploy/Caddyfile on loopback ports with this test's certificate (instead of Let's Encrypt)."""
    site = (DEPLOY_DIR / "Caddyfile").read_text()
    replacements = [
        ("example.fr {", f"{HOST} {{\n\tbind 127.0.0.1\n\ttls {cert} {key}"),
        ("root * /srv/frenchbot/var/static", f"root * {static}"),
        ("reverse_proxy 127.0.0.1:8000 {", f"reverse_proxy 127.0.0.1:{app_port} {{"),
    ]
    for old, new in replacements:
        assert old in site, f"{old!r} is no longer in deploy/Caddyfile: update this test"
        site = site.replace(old, new)
    return f"{{\n\tadmin off\n\thttp_port {http_port}\n\thttps_port {https_port}\n}}\n\n{site}"


@pytest.fixture(scope="module")
def app():
    """Certificate, model and the app (uvicorn as the web unit runs it, production settings), once."""
    root = Path(tempfile.mkdtemp(prefix="frenchbot-deploy-"))
    # nginx's workers (nobody when the test runs as root) read the static files and the site file.
    root.chmod(0o755)
    model = FakeModel()
    model.thread.start()
    process = None
    try:
        cert, key = root / "cert.pem", root / "key.pem"
        _run(
            [OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            + ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={HOST}"]
            + ["-addext", f"subjectAltName=DNS:{HOST}"],
            env=dict(os.environ),
        )
        ports = {name: (_port(), _port()) for name in PROXIES}
        origins = [f"https://{HOST}:{https}" for _http, https in ports.values()]
        app_port = _port()
        var = root / "var"
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CACHE_URL", "TASKS_BACKEND"}
        }
        env.update(
            {
                # What the web unit sets, then what docs/deployment.md puts in .env.
                **unit_values("frenchbot-web.service", "Environment"),
                "PYTHONPATH": str(BASE_DIR),
                "FRENCHBOT_VAR_DIR": str(var),
                "SECRET_KEY": "deploy-test-" + "k" * 50,
                "HTTPS": "true",
                "TRUSTED_PROXY_COUNT": "1",
                "ALLOWED_HOSTS": HOST,
                "SITE_URL": origins[0],
                "CSRF_TRUSTED_ORIGINS": ",".join(origins),
                "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
                "SECURE_HSTS_PRELOAD": "false",
                "EMAIL_URL": "consolemail://",
                # The bot answers with the model above, straight from the question (no intent layer, no
                # vector model to load: what is tested here is the way the words travel).
                "LLM_PROVIDER": "openai",
                "LLM_BASE_URL": model.base_url,
                "LLM_API_KEY": "test",
                "LLM_MAX_RETRIES": "0",
                "ASSISTANT_INTENTS": "false",
                "RETRIEVAL_SEMANTIC": "false",
                # The model's numbered words are no prose: the answer shape guard (tested on its own, in the
                # assistant's tests) would hold them back, and the proxy's way with a stream is what is tested.
                "ASSISTANT_SHAPE_GUARD": "false",
            }
        )
        cli = [sys.executable, "-m", "frenchbot.core.cli"]
        _run([*cli, "migrate", "--noinput", "-v", "0"], env)
        # The admin's and the API docs' files are most of the work and no page here uses them.
        _run([*cli, "collectstatic", "--noinput", "-v", "0", "-i", "admin", "-i", "ninja"], env)

        command = unit_exec_start("frenchbot-web.service")
        assert Path(command[0]).name == "uvicorn"
        arguments = command[1:]
        arguments[arguments.index("--port") + 1] = str(app_port)
        arguments[arguments.index("--workers") + 1] = "1"
        app_log = root / "uvicorn.log"
        with app_log.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "uvicorn", *arguments],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def app_answers():
            connection = http.client.HTTPConnection("127.0.0.1", app_port, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": HOST})
            assert connection.getresponse().status == 200
            connection.close()

        _wait_for(app_answers, "uvicorn", process, app_log)
        yield {
            "root": root,
            "cert": cert,
            "key": key,
            "ports": ports,
            "app_port": app_port,
            "static": var / "static",
            "model": model,
            "tls": ssl.create_default_context(cafile=str(cert)),
        }
    finally:
        if process is not None:
            _stop(process)
        model.server.shutdown()
        model.server.server_close()
        shutil.rmtree(root, ignore_errors=True)


def _start_nginx(app, folder: Path, http_port: int, https_port: int) -> tuple[list[str], Path]:
    site = folder / "site.conf"
    site.write_text(
        _nginx_site(
            http_port=http_port,
            https_port=https_port,
            app_port=app["app_port"],
            cert=app["cert"],
            key=app["key"],
            static=app["static"],
        )
    )
    conf = folder / "nginx.conf"
    conf.write_text(_nginx_main(prefix=folder, site=site))
    log = folder / "error.log"
    log.touch()
    _run([NGINX, "-t", "-q", "-p", str(folder), "-c", str(conf), "-e", str(log)], dict(os.environ))
    return [NGINX, "-p", str(folder), "-c", str(conf), "-e", str(log)], log


def _start_caddy(app, folder: Path, http_port: int, https_port: int) -> tuple[list[str], Path]:
    conf = folder / "Caddyfile"
    conf.write_text(
        _caddy_site(
            http_port=http_port,
            https_port=https_port,
            app_port=app["app_port"],
            cert=app["cert"],
            key=app["key"],
            static=app["static"],
        )
    )
    return [CADDY, "run", "--adapter", "caddyfile", "--config", str(conf)], folder / "caddy.log"


@pytest.fixture(scope="module", params=PROXIES)
def stack(request):
    """The app behind one of the two proxy configurations of deploy/."""
    name = request.param
    if name == "nginx" and (NGINX is None or not MIME_TYPES.exists()):
        pytest.skip("nginx manquant : apt-get install nginx (test de deploy/nginx-frenchbot.conf ignoré)")
    if name == "caddy" and CADDY is None:
        pytest.skip("caddy manquant : apt-get install caddy (test de deploy/Caddyfile ignoré)")
    # Only now: the app takes half a minute to prepare, for nothing when no proxy is installed.
    app = request.getfixturevalue("app")
    http_port, https_port = app["ports"][name]
    folder = app["root"] / name
    folder.mkdir(mode=0o755)
    start = _start_nginx if name == "nginx" else _start_caddy
    command, log = start(app, folder, http_port, https_port)
    home = {"HOME": str(folder), "XDG_DATA_HOME": str(folder), "XDG_CONFIG_HOME": str(folder)}
    with log.open("ab") as output:
        proxy = subprocess.Popen(  # noqa: S603
            command, env={**os.environ, **home}, stdout=output, stderr=subprocess.STDOUT
        )

    def proxy_answers():
        socket.create_connection(("127.0.0.1", https_port), timeout=2).close()

    try:
        _wait_for(proxy_answers, name, proxy, log)
        yield {
            **app,
            "proxy": name,
            "http_port": http_port,
            "https_port": https_port,
            "origin": f"https://{HOST}:{https_port}",
        }
    finally:
        _stop(proxy)


def _https(stack) -> http.client.HTTPSConnection:
    # The certificate is checked as a browser would (made for "localhost", trusted through this test's CA).
    return http.client.HTTPSConnection(HOST, stack["https_port"], context=stack["tls"], timeout=40)


def _get(stack, path: str, headers: dict | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    connection = _https(stack)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    return response, response.read()


def test_plain_http_is_sent_to_https_with_the_same_address(stack):
    connection = http.client.HTTPConnection("127.0.0.1", stack["http_port"], timeout=10)
    connection.request("GET", "/blog/?page=2", headers={"Host": HOST})
    response = connection.getresponse()
    # Permanent either way: nginx's classic 301, Caddy's 308 (which keeps the method).
    assert response.status == {"nginx": 301, "caddy": 308}[stack["proxy"]]
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.hostname, location.path, location.query) == (
        "https",
        HOST,
        "/blog/",
        "page=2",
    )


def test_a_request_for_another_name_gets_nothing(stack):
    # Over TLS, a name the site does not serve gets no certificate at all: the handshake fails even for a client
    # that would accept any certificate.
    anything = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    anything.check_hostname = False
    anything.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", stack["https_port"]), timeout=10) as raw,
        pytest.raises((ssl.SSLError, ConnectionError)),
    ):
        anything.wrap_socket(raw, server_hostname="autre.example").close()
    with socket.create_connection(("127.0.0.1", stack["https_port"]), timeout=10) as raw:
        anything.wrap_socket(raw, server_hostname=HOST).close()
    if stack["proxy"] == "nginx":
        # Over HTTP, nginx closes the connection without an answer.
        connection = http.client.HTTPConnection("127.0.0.1", stack["http_port"], timeout=10)
        with pytest.raises(ConnectionError):
            connection.request("GET", "/", headers={"Host": "autre.example"})
            connection.getresponse()


def test_a_page_over_https_is_compressed_and_asks_for_https_only(stack):
    response, body = _get(stack, "/", {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(body)
    # The default (a year) with the subdomains the test's environment includes.
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # No version given away.
    assert not re.search(r"\d", response.headers.get("Server", ""))


def test_static_files_come_from_the_collected_folder_with_a_long_cache(stack):
    manifest = json.loads((stack["static"] / "staticfiles.json").read_text())["paths"]
    hashed = manifest["assistant/chat.css"]
    response, body = _get(stack, f"/static/{hashed}", {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    # WhiteNoise's precompressed copy, sent as it is.
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (stack["static"] / hashed).read_bytes()
    # A file put in the folder after the app started: the app never indexed it, only nginx can serve it.
    (stack["static"] / "probe.txt").write_text("servi par nginx")
    (stack["static"] / "probe.txt").chmod(0o644)
    response, body = _get(stack, "/static/probe.txt")
    assert response.status == 200
    assert body == b"servi par nginx"
    assert "immutable" not in response.headers["Cache-Control"]


def test_the_metrics_stay_on_the_machine(stack):
    response, _body = _get(stack, "/metrics")
    assert response.status == 404
    # Answered by the proxy itself: every answer of the app carries its Content-Security-Policy.
    assert "Content-Security-Policy" not in response.headers
    page, _body = _get(stack, "/")
    assert "Content-Security-Policy" in page.headers


def _visitor(stack) -> tuple[http.client.HTTPSConnection, SimpleCookie, list[str]]:
    connection = _https(stack)
    connection.request("GET", "/assistant/")
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    raw = response.headers.get_all("Set-Cookie")
    cookies = SimpleCookie()
    for header in raw:
        cookies.load(header)
    return connection, cookies, raw


def _cookie_header(cookies: SimpleCookie) -> str:
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())


def _conversation(stack) -> tuple[http.client.HTTPSConnection, dict, str, list[str]]:
    connection, cookies, raw = _visitor(stack)
    headers = {
        "Cookie": _cookie_header(cookies),
        "X-CSRFToken": cookies["csrftoken"].value,
        "Content-Type": "application/json",
        "Origin": stack["origin"],
        "Referer": f"{stack['origin']}/assistant/",
    }
    connection.request("POST", "/api/assistant/conversations", body="{}", headers=headers)
    response = connection.getresponse()
    body = json.loads(response.read())
    assert response.status == 201, body
    set_cookies = response.headers.get_all("Set-Cookie") or []
    for header in set_cookies:
        cookies.load(header)
    headers["Cookie"] = _cookie_header(cookies)
    return connection, headers, body["id"], raw + set_cookies


def test_a_form_post_over_https_passes_csrf_with_secure_cookies(stack):
    connection, cookies, _raw = _visitor(stack)
    # Without the token, refused: the check is on.
    connection.request(
        "POST",
        "/api/assistant/conversations",
        body="{}",
        headers={
            "Cookie": _cookie_header(cookies),
            "Content-Type": "application/json",
            "Origin": stack["origin"],
        },
    )
    refused = connection.getresponse()
    refused.read()
    assert refused.status == 403
    _connection, _headers, conversation, set_cookies = _conversation(stack)
    assert conversation
    for name in ("csrftoken", "sessionid"):
        header = next(h for h in set_cookies if h.startswith(f"{name}="))
        assert re.search(r";\s*Secure", header, re.IGNORECASE), header


def test_the_bots_words_pass_the_proxy_as_they_are_written(stack):
    model = stack["model"]
    connection, headers, conversation, _cookies = _conversation(stack)
    connection.request(
        "POST",
        f"/api/assistant/conversations/{conversation}/messages",
        body=json.dumps({"content": "Comment écrire un bon prompt ?"}),
        headers={**headers, "Accept": "text/event-stream"},
    )
    response = connection.getresponse()
    assert response.status == 200, response.read()[:500]
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert "Content-Encoding" not in response.headers
    received = b""
    while b"event: token" not in received:
        chunk = response.read1(65536)
        assert chunk, received
        received += chunk
    # The model is still holding the end of its answer: these words came through nginx on their own.
    assert b"mot0" in received and b"mot45" not in received and b"event: done" not in received
    model.seen_by_client.set()
    while chunk := response.read1(65536):
        received += chunk
    assert b"event: done" in received and b"mot45" in received
    assert model.released_by_client is True
