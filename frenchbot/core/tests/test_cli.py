"""The `frenchbot` command says a misconfiguration in one French line (exit status 2), never with a traceback."""

import os
import subprocess
import sys
from pathlib import Path

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
