"""The deployment files of deploy/ and the production settings they rely on: units systemd accepts whose
commands exist, the guide's environment passing `check --deploy`, HSTS as configured."""

import importlib
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import get_commands

from .deploy_files import (
    BASE_DIR,
    DEPLOY_DIR,
    UNITS,
    env_file,
    unit_exec_start,
    unit_lines,
    unit_value,
    unit_values,
)


# Commands other parts of issue 13 add; until their branch is merged, the unit naming them cannot be checked.
def _production(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`frenchbot ARGS` in a fresh process with production settings and only the given environment."""
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "SECURE_", "HTTPS", "DATABASE_URL", "CACHE_URL"))
    }
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "frenchbot.core.cli", *args],
        cwd=BASE_DIR,
        env={**clean, "PYTHONPATH": str(BASE_DIR), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _guide_env(tmp_path: Path) -> dict[str, str]:
    values = env_file(DEPLOY_DIR / "frenchbot.env")
    values["FRENCHBOT_VAR_DIR"] = str(tmp_path / "var")
    return values


def _settings(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    clean = {n: v for n, v in os.environ.items() if not n.startswith(("DJANGO_", "SECURE_", "HTTPS"))}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={
            **clean,
            "PYTHONPATH": str(BASE_DIR),
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_guides_environment_passes_check_deploy(tmp_path):
    result = _production(_guide_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_env_example_copied_as_it_is_starts(tmp_path):
    """An operator who copies .env.example to .env gets the defaults its comments promise (empty = default)."""
    env = env_file(BASE_DIR / ".env.example")
    env["FRENCHBOT_VAR_DIR"] = str(tmp_path / "var")
    result = _production(env, "check")
    assert result.returncode == 0, result.stderr + result.stdout
    assert _settings(env, "DATABASES")["DATABASES"]["default"]["ENGINE"] == "frenchbot.core.sqlite_pool"


def test_check_deploy_asks_for_a_decision_on_hsts_subdomains_and_preload(tmp_path):
    env = _guide_env(tmp_path)
    env["SECURE_HSTS_INCLUDE_SUBDOMAINS"] = ""
    env["SECURE_HSTS_PRELOAD"] = ""
    result = _production(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W005" in result.stderr and "security.W021" in result.stderr


def test_hsts_is_a_year_by_default_over_https_and_follows_the_environment(tmp_path):
    var = {"FRENCHBOT_VAR_DIR": str(tmp_path / "var")}
    names = (
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
    )
    assert _settings({**var, "HTTPS": "true"}, *names) == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_SSL_REDIRECT": True,
    }
    chosen = {
        **var,
        "HTTPS": "true",
        "SECURE_HSTS_SECONDS": "3600",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
    }
    assert _settings(chosen, *names) == {
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True,
    }
    # Without HTTPS (make run on a laptop), no HSTS whatever the variables say.
    plain = _settings({**chosen, "HTTPS": "false"}, "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT")
    assert plain == {"SECURE_HSTS_SECONDS": 0, "SECURE_SSL_REDIRECT": False}


@pytest.mark.parametrize("unit", UNITS)
def test_the_units_commands_exist(unit):
    command = unit_exec_start(unit)
    executable = Path(command[0])
    assert executable.parent == Path(unit_value(unit, "WorkingDirectory")) / ".venv" / "bin"
    scripts = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]["scripts"]
    if executable.name == "uvicorn":
        assert importlib.util.find_spec("uvicorn") is not None
        module, _, attribute = command[1].partition(":")
        assert hasattr(importlib.import_module(module), attribute), command[1]
    else:
        assert executable.name in scripts, f"{executable.name} is not a console script of pyproject.toml"
        subcommand = command[1]
        assert subcommand in get_commands(), f"frenchbot has no command {subcommand!r}"
    # What runs before the service (the start checks) is a command of ours too.
    for key, value in unit_lines(unit):
        if key == "ExecStartPre":
            before = shlex.split(value)
            assert Path(before[0]).name in scripts and before[1] in get_commands(), value
    settings_module = unit_values(unit, "Environment")["DJANGO_SETTINGS_MODULE"]
    assert importlib.util.find_spec(settings_module) is not None
    # The environment file is the one the settings read, and the service may write its var folder only.
    assert unit_value(unit, "EnvironmentFile") == unit_value(unit, "WorkingDirectory") + "/.env"
    assert unit_value(unit, "ReadWritePaths") == unit_value(unit, "WorkingDirectory") + "/var"
    assert unit_value(unit, "ProtectSystem") == "strict"
    assert unit_value(unit, "NoNewPrivileges") == "true"


def test_the_web_unit_listens_on_loopback_where_nginx_sends_requests():
    command = unit_exec_start("frenchbot-web.service")
    host, port = command[command.index("--host") + 1], command[command.index("--port") + 1]
    assert host == "127.0.0.1"
    assert f"server {host}:{port};" in (DEPLOY_DIR / "nginx-frenchbot.conf").read_text()


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze manquant : apt-get install systemd (vérification des unités ignorée)",
)
def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` on the units, their paths moved to this checkout and its virtualenv."""
    venv_bin = Path(sys.executable).parent
    names = [*UNITS, "frenchbot-backup.timer"]
    for name in names:
        text = (DEPLOY_DIR / name).read_text()
        text = text.replace("/srv/frenchbot/.venv/bin/", f"{venv_bin}/").replace(
            "/srv/frenchbot", str(BASE_DIR)
        )
        (tmp_path / name).write_text(text)
    result = subprocess.run(  # noqa: S603
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in names)],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Unknown or misspelt options are only warnings for systemd: any message at all fails the test.
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), (
        result.stdout + result.stderr
    )


def test_the_var_folder_of_env_is_the_one_every_command_uses(tmp_path):
    """The units load .env into the environment, the commands typed by hand read it from the settings: both must
    land on the same folder (a relative path counts from the project root, not from where one stands)."""
    project = tmp_path / "project"
    shutil.copytree(BASE_DIR / "config", project / "config", ignore=shutil.ignore_patterns("__pycache__"))
    (project / ".env").write_text("FRENCHBOT_VAR_DIR=donnees\nSECRET_KEY=test-key\n")
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([str(settings.VAR_DIR), str(settings.DATABASES['default']['NAME'])]))"
    )
    clean = {
        n: v for n, v in os.environ.items() if not n.startswith(("DJANGO_", "FRENCHBOT_", "DATABASE_URL"))
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={
            **clean,
            "PYTHONPATH": f"{project}{os.pathsep}{BASE_DIR}",
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    var, database = json.loads(result.stdout.strip().splitlines()[-1])
    assert var == str(project / "donnees")
    assert database == str(project / "donnees" / "frenchbot.sqlite3")
