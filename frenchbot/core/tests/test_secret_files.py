"""Secret files under var/ (the generated SECRET_KEY): private from their first byte, one per folder."""

import os
import stat
import threading
from pathlib import Path

import pytest

from config.settings import base as base_settings


@pytest.fixture
def permissive_umask():
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(base_settings, "VAR_DIR", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return tmp_path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_generated_key_is_never_readable_by_others(var_dir, permissive_umask, monkeypatch):
    # Any chmod after the fact means the file existed with the umask's mode first: record what it was.
    seen = []
    real_chmod = os.chmod

    def spying_chmod(path, mode, *args, **kwargs):
        if Path(path).exists():
            seen.append(_mode(Path(path)))
        return real_chmod(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "chmod", spying_chmod)
    key = base_settings._secret_key()
    path = var_dir / "secret_key"
    assert _mode(path) == 0o600
    assert all(mode == 0o600 for mode in seen), f"created with mode {seen} before chmod"
    assert path.read_text().strip() == key and len(key) >= 50
    # Later starts read the same key.
    assert base_settings._secret_key() == key
    assert [p.name for p in var_dir.iterdir()] == ["secret_key"]


def test_workers_starting_together_share_one_key(var_dir, permissive_umask, monkeypatch):
    from django.core.management import utils

    workers = 6
    # Every worker has generated its own key before any of them writes: the worst interleaving.
    generated = threading.Barrier(workers)
    counter = iter(range(workers))
    lock = threading.Lock()

    def racing_key():
        with lock:
            number = next(counter)
        key = f"key-{number}-" + "x" * 50
        generated.wait(timeout=10)
        return key

    monkeypatch.setattr(utils, "get_random_secret_key", racing_key)
    keys = [None] * workers

    def start(index):
        keys[index] = base_settings._secret_key()

    threads = [threading.Thread(target=start, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(set(keys)) == 1 and keys[0] is not None
    assert (var_dir / "secret_key").read_text().strip() == keys[0]
    assert _mode(var_dir / "secret_key") == 0o600
    assert [p.name for p in var_dir.iterdir()] == ["secret_key"]
