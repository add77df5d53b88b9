"""The semantic index of a collection as one file of 8-bit vectors, mapped into memory by every process.

Loaded as float32 matrices, the vectors of 50,000 passages and their 200,000 sentences cost 384 MB in every
process that searches (each web worker, the task worker). Here they are quantised to one signed byte per value
(each column centred on the middle of its range and scaled to ±127: the error of a similarity stays far below
the spread that separates passages, and recall on PIAF does not move, docs/benchmarks.md), written once per
index version to a file under ``VAR_DIR/vectors``, and mapped read-only: every process of the node reads the
same pages of the OS page cache, and a process holds no copy of its own.

Versions: a file is named after its collection, its model, the database it comes from (a random ``epoch`` kept
in the database, so that a new or restored database never reads the file of another) and the index version it
holds. It is written to a temporary file and renamed into place, so a reader sees a whole file or none; a
process keeps the file it mapped until it moves to a newer version, even when that file is removed meanwhile
(Linux keeps a removed file's pages while a mapping holds them). Files of older versions are removed once a
newer one is written and they have not been mapped for ``GRACE_SECONDS``. Each node writes its own files from
the database, which stays the only store: a missing or unreadable file is rebuilt.
"""

import contextlib
import hashlib
import json
import logging
import mmap
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

MAGIC = b"FBVEC01\n"
# The layout of the header and arrays; a file of another format is rebuilt, never misread.
FORMAT = 1
ALIGN = 64
SUFFIX = ".vec"
# A file of an older version of the same collection is kept this long after its last mapping: a process that
# read the version just before the change may still be opening it.
GRACE_SECONDS = 60
# Files of other collections (a benchmark's, an evaluation's) and leftovers of an interrupted write go after this.
STALE_SECONDS = 24 * 3600
# Rows converted to float32 at a time when scoring: small enough to stay in the processor's cache.
BLOCK_ROWS = 1024


@dataclass(frozen=True)
class QuantizedMatrix:
    """Vectors as int8 codes: ``vector ≈ centre + codes * step``, per column."""

    codes: np.ndarray  # (rows, dimensions) int8
    centre: np.ndarray  # (dimensions,) float32
    step: np.ndarray  # (dimensions,) float32

    def __len__(self) -> int:
        return len(self.codes)

    def dot(self, query: np.ndarray) -> np.ndarray:
        """``vectors @ query`` (float32), computed from the codes a block at a time: no float copy of the
        matrix is ever made."""
        query = np.asarray(query, dtype=np.float32)
        weights = (self.step * query).astype(np.float32)
        out = np.empty(len(self.codes), dtype=np.float32)
        if not len(self.codes):
            return out
        block = np.empty((min(BLOCK_ROWS, len(self.codes)), self.codes.shape[1]), dtype=np.float32)
        for start in range(0, len(self.codes), BLOCK_ROWS):
            codes = self.codes[start : start + BLOCK_ROWS]
            rows = block[: len(codes)]
            np.copyto(rows, codes)
            np.matmul(rows, weights, out=out[start : start + len(codes)])
        out += np.float32(self.centre @ query)
        return out

    @property
    def nbytes(self) -> int:
        return self.codes.nbytes + self.centre.nbytes + self.step.nbytes


def quantize(vectors: np.ndarray, *, out: np.ndarray | None = None) -> QuantizedMatrix:
    """int8 codes of float32 `vectors` (rows), in blocks (`vectors` may be a memory map larger than memory);
    written into `out` when given (an int8 array of the same shape)."""
    rows, dimensions = vectors.shape
    codes = np.empty((rows, dimensions), dtype=np.int8) if out is None else out
    if not rows:
        zeros = np.zeros(dimensions, dtype=np.float32)
        return QuantizedMatrix(codes=codes, centre=zeros, step=np.ones(dimensions, dtype=np.float32))
    low = np.full(dimensions, np.inf, dtype=np.float32)
    high = np.full(dimensions, -np.inf, dtype=np.float32)
    block_rows = 16 * BLOCK_ROWS
    for start in range(0, rows, block_rows):
        block = vectors[start : start + block_rows]
        np.minimum(low, block.min(axis=0), out=low)
        np.maximum(high, block.max(axis=0), out=high)
    centre = ((low + high) / 2).astype(np.float32)
    step = ((high - low) / 254).astype(np.float32)
    step[step == 0] = 1.0  # a constant column: every code is 0
    for start in range(0, rows, block_rows):
        block = (vectors[start : start + block_rows] - centre) / step
        np.clip(np.rint(block), -127, 127, out=block)
        codes[start : start + len(block)] = block
    return QuantizedMatrix(codes=codes, centre=centre, step=step)


def folder() -> Path:
    """Where this node keeps its vector files."""
    return Path(settings.VAR_DIR) / "vectors"


def file_prefix(collection: str) -> str:
    return hashlib.sha256(collection.encode()).hexdigest()[:16]


def file_name(*, collection: str, model_id: str, epoch: int, version: int) -> str:
    model = hashlib.sha256(model_id.encode()).hexdigest()[:12]
    return f"{file_prefix(collection)}-{model}-{epoch:x}-{version}{SUFFIX}"


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


def write(path: Path, *, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` and `meta` to `path` atomically: a temporary file in the same folder, renamed into place
    (a reader opens the old file or the new one, never half of one). Raises OSError (a read-only folder, a
    full disk); nothing is left behind then."""
    layout, offset = {}, 0
    for name, array in arrays.items():
        layout[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        offset = _aligned(offset + array.nbytes)
    header = json.dumps({**meta, "format": FORMAT, "arrays": layout, "size": offset}).encode()
    start = _aligned(len(MAGIC) + 8 + len(header))
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=SUFFIX)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(MAGIC + len(header).to_bytes(8, "little") + header)
            for name, array in arrays.items():
                handle.seek(start + layout[name]["offset"])
                handle.write(np.ascontiguousarray(array).data)
            handle.truncate(start + offset)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class Unreadable(Exception):
    """A file that is not a whole index of this format: it is rebuilt."""


def read(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """The meta and the arrays of `path`, mapped read-only (no copy: the pages are the OS page cache's).
    Raises FileNotFoundError, or Unreadable for a file of another format or cut short."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size < len(MAGIC) + 8:
            raise Unreadable(f"{path.name}: {size} bytes")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        if mapped[: len(MAGIC)] != MAGIC:
            raise Unreadable(f"{path.name}: not a vector file")
        length = int.from_bytes(mapped[len(MAGIC) : len(MAGIC) + 8], "little")
        header = json.loads(bytes(mapped[len(MAGIC) + 8 : len(MAGIC) + 8 + length]))
        start = _aligned(len(MAGIC) + 8 + length)
        if header.get("format") != FORMAT or start + header["size"] != size:
            raise Unreadable(f"{path.name}: format {header.get('format')}, {size} bytes")
        arrays = {}
        for name, spec in header.pop("arrays").items():
            dtype, shape = np.dtype(spec["dtype"]), tuple(spec["shape"])
            count = int(np.prod(shape)) if shape else 1
            arrays[name] = np.frombuffer(
                mapped, dtype=dtype, count=count, offset=start + spec["offset"]
            ).reshape(shape)
    except (ValueError, KeyError, TypeError) as error:
        mapped.close()
        raise Unreadable(f"{path.name}: {error}") from error
    except Unreadable:
        mapped.close()
        raise
    # The arrays keep the mapping open as long as any of them is referenced (a search still running on it).
    with contextlib.suppress(OSError):
        os.utime(path)  # last mapped: what the clean-up measures
    return header, arrays


def clean(folder: Path, *, keep: Path) -> None:
    """Remove the files of older versions of `keep`'s collection and model that no process mapped for
    GRACE_SECONDS, and any other file of the folder unused for STALE_SECONDS (another collection's, an
    interrupted write's). A process that mapped a removed file keeps reading it."""
    now = time.time()
    family = keep.name.rsplit("-", 2)[0]
    for path in folder.glob(f"*{SUFFIX}"):
        if path == keep:
            continue
        with contextlib.suppress(OSError):
            age = now - path.stat().st_mtime
            same = path.name.startswith(family + "-")
            if age > (GRACE_SECONDS if same else STALE_SECONDS):
                path.unlink()


def remove_collection(*, collection: str) -> None:
    """Remove this node's files of a collection (dropped): processes that mapped one keep reading it."""
    for path in folder().glob(f"{file_prefix(collection)}-*{SUFFIX}"):
        with contextlib.suppress(OSError):
            path.unlink()
