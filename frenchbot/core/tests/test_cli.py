"""The `frenchbot` command says a misconfiguration in one French line (exit status 2), never with a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _frenchbot(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "frenchbot.core.cli", *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_wrong_database_url_is_named_in_one_line(tmp_path):
    result = _frenchbot("check", DATABASE_URL="blah", FRENCHBOT_VAR_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "Configuration invalide : DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_said_in_french(tmp_path):
    result = _frenchbot(
        "migrate",
        DATABASE_URL="postgres://personne@127.0.0.1:1/aucune",
        DB_POOL_TIMEOUT="1",
        FRENCHBOT_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 2
    assert "Base de données injoignable : vérifiez DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_redis_cache_is_named_in_one_line(tmp_path):
    # Port 1 on loopback: nothing listens there.
    result = _frenchbot("check", CACHE_URL="redis://127.0.0.1:1/0", FRENCHBOT_VAR_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "Redis injoignable : vérifiez CACHE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_task_queue_redis_is_named_in_one_line(tmp_path):
    result = _frenchbot(
        "check",
        TASKS_BACKEND="redis",
        TASKS_REDIS_URL="redis://127.0.0.1:1/6",
        FRENCHBOT_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 2
    assert "Redis injoignable : vérifiez TASKS_REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"CACHE_URL": "http://cache.example/"}, "CACHE_URL"),
        ({"CACHE_URL": "redis://"}, "CACHE_URL"),
        ({"TASKS_BACKEND": "redis", "TASKS_REDIS_URL": "127.0.0.1:6379"}, "TASKS_REDIS_URL"),
        ({"TASKS_BACKEND": "redis"}, "TASKS_REDIS_URL"),
    ],
)
def test_an_invalid_redis_address_is_named_in_one_line(tmp_path, variables, named):
    result = _frenchbot("check", FRENCHBOT_VAR_DIR=str(tmp_path), **variables)
    assert result.returncode == 2
    assert result.stderr.startswith("Configuration invalide : ") and named in result.stderr
    assert "Traceback" not in result.stderr
