"""Static files as WhiteNoise serves them, compressed once per distinct content.

``collectstatic`` keeps each file under its own name and under its hashed name, with the same bytes in most
cases; WhiteNoise compresses both, at Brotli's slowest level. On 2 cores that doubled the longest step of a
first start: here each distinct content is compressed once and its result reused for its twin.
"""

import hashlib
import threading

try:
    import brotli
except ImportError:  # optional for WhiteNoise too: without it, gzip only (and _brotli is never called)
    brotli = None

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Brotli's slowest level (11, WhiteNoise's) for files below this size: the site's own CSS and JavaScript, what
# visitors load. Larger ones are the admin's and the API docs' vendor bundles, which visitors never load: level 9
# makes them 16 times faster for 9 % more bytes (swagger-ui-bundle.js: 2.9 s → 0.18 s, 334 → 365 KB).
BROTLI_BEST_BELOW = 100_000


def _brotli(data: bytes) -> bytes:
    return brotli.compress(data, quality=11 if len(data) < BROTLI_BEST_BELOW else 9)


class _OnceCompressor(Compressor):
    """A compressor that remembers its output per content (WhiteNoise runs it on several threads)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._results: dict[tuple[str, str], bytes] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def _once(self, encoding: str, data: bytes, compress) -> bytes:
        key = (encoding, hashlib.sha256(data).hexdigest())
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        # The twin waits for the first copy's result instead of compressing the same bytes beside it.
        with lock:
            if key not in self._results:
                self._results[key] = compress(data)
            return self._results[key]

    def compress_brotli(self, data):
        return self._once("br", data, _brotli)

    def compress_gzip(self, data):
        return self._once("gz", data, Compressor.compress_gzip)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage with compression done once per distinct content."""

    def create_compressor(self, **kwargs):
        return _OnceCompressor(**kwargs)
