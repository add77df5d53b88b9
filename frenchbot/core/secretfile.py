"""Secret files under var/ (the generated SECRET_KEY): created private and whole, once per folder.

Standard library only: the settings import this before Django is set up.
"""

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def secret_file_read_or_create(*, path: Path, generate: Callable[[], str]) -> str:
    """The secret kept in `path`; when there is none yet, `generate()` one and keep it there.

    The file is readable by its owner only from its first byte (created with mode 0o600 whatever the umask,
    never chmod-ed after the fact), and appears whole: the secret is written and synced to a temporary file in
    the same folder, then hard-linked to `path`, which fails if `path` exists. So of several workers starting
    together exactly one creates the file and the others read that one's secret instead of overwriting it.
    """
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    secret = generate()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.write(descriptor, secret.encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(temporary, path)
        except FileExistsError:
            # Another worker was first: its secret is the one every process must share.
            return path.read_text().strip()
    finally:
        temporary.unlink(missing_ok=True)
    _sync_folder(path.parent)
    return secret


def _sync_folder(folder: Path) -> None:
    # The new name must survive a crash too; some systems cannot open a folder (then there is nothing to do).
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
