"""A compressed, de-duplicated store of file contents for the history of a data folder.

A file is cut into chunks at content-defined line boundaries (after a line whose CRC-32 ends in
six zero bits, so about every 64 lines), and each chunk is kept once, gzip-compressed, under
its SHA-256 in ``.history/objects/``. Layers are written one feature per line and sorted by
id, so a version that adds one strike to a large layer shares every chunk but one with the
version before it. Each chunk is checked against its hash when read back.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Iterable
from pathlib import Path

from strikemap.layers.io import atomic_write_bytes

OBJECTS_DIR_NAME = "objects"
BOUNDARY_MASK = 0x3F
"""A chunk ends after a line whose CRC-32 has these bits all zero (about every 64 lines)."""
MAX_CHUNK_BYTES = 4 * 2**20
"""A chunk also ends once it holds this many bytes (files with very long lines)."""
COMPRESS_LEVEL = 6


class StoreError(ValueError):
    """A chunk is missing or damaged, so a kept file cannot be rebuilt."""


def split_chunks(content: bytes) -> list[bytes]:
    """Cut ``content`` into chunks that end at content-defined line boundaries."""
    chunks, current, size = [], [], 0
    for line in content.splitlines(keepends=True):
        current.append(line)
        size += len(line)
        if size >= MAX_CHUNK_BYTES or not zlib.crc32(line) & BOUNDARY_MASK:
            chunks.append(b"".join(current))
            current, size = [], 0
    if current:
        chunks.append(b"".join(current))
    return chunks


def put(root: Path, content: bytes) -> list[str]:
    """Store ``content`` in the object store ``root``; return its chunk hashes, in order."""
    hashes = []
    for chunk in split_chunks(content):
        digest = hashlib.sha256(chunk).hexdigest()
        path = object_path(root, digest)
        if not path.is_file():
            atomic_write_bytes(path, gzip.compress(chunk, COMPRESS_LEVEL, mtime=0))
        hashes.append(digest)
    return hashes


def get(root: Path, hashes: Iterable[str]) -> bytes:
    """Rebuild a file from its chunk hashes.

    Raises
    ------
    StoreError
        When a chunk is missing, cannot be decompressed, or does not match its hash.
    """
    parts = []
    for digest in hashes:
        path = object_path(root, digest)
        try:
            chunk = gzip.decompress(path.read_bytes())
        except FileNotFoundError as exc:
            raise StoreError(f"chunk {digest[:12]} is missing from {root}") from exc
        except (OSError, EOFError, zlib.error) as exc:
            raise StoreError(f"chunk {digest[:12]} in {root} is damaged ({exc})") from exc
        if hashlib.sha256(chunk).hexdigest() != digest:
            raise StoreError(f"chunk {digest[:12]} in {root} does not match its hash")
        parts.append(chunk)
    return b"".join(parts)


def object_path(root: Path, digest: str) -> Path:
    """Return where the chunk ``digest`` lives (two-level fan-out, like git)."""
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise StoreError(f"{digest!r} is not a chunk hash")
    return root / digest[:2] / f"{digest[2:]}.gz"


def collect_garbage(root: Path, referenced: set[str]) -> int:
    """Delete chunks no kept version refers to; return how many were deleted."""
    if not root.is_dir():
        return 0
    removed = 0
    for path in root.glob("??/*.gz"):
        if path.parent.name + path.name.removesuffix(".gz") not in referenced:
            path.unlink(missing_ok=True)
            removed += 1
    for folder in root.iterdir():
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed
