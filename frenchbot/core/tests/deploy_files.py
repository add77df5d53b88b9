"""Reading the files of deploy/ the way systemd and the guide use them (shared by the deployment tests)."""

import shlex
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
DEPLOY_DIR = BASE_DIR / "deploy"
UNITS = ["frenchbot-web.service", "frenchbot-worker.service", "frenchbot-backup.service"]


def unit_lines(name: str) -> list[tuple[str, str]]:
    """(key, value) of every setting of a unit file, continuation lines joined, comments left out."""
    text = (DEPLOY_DIR / name).read_text().replace("\\\n", " ")
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        pairs.append((key.strip(), value.strip()))
    return pairs


def unit_value(name: str, key: str) -> str:
    [value] = [value for k, value in unit_lines(name) if k == key]
    return value


def unit_values(name: str, key: str) -> dict[str, str]:
    """The NAME=value assignments of every `key=` line (Environment=)."""
    assignments = {}
    for k, value in unit_lines(name):
        if k == key:
            for item in shlex.split(value):
                variable, _, content = item.partition("=")
                assignments[variable] = content
    return assignments


def unit_exec_start(name: str) -> list[str]:
    return shlex.split(unit_value(name, "ExecStart"))


def env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile reads them (no quotes used in ours)."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values
