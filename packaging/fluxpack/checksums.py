"""SHA256SUMS beside the packages, in the format `sha256sum -c` checks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from fluxpack import PackagingError


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sums_text(files: Iterable[Path]) -> str:
    """One `<hex>  <name>` line per file, sorted by name; bare names, checked from that folder."""
    lines = []
    for path in sorted(files, key=lambda p: p.name):
        if not path.is_file():
            raise PackagingError(f"cannot checksum {path}: not a file")
        if any(c in path.name for c in "\n\\"):
            raise PackagingError(f"file name {path.name!r} cannot go in SHA256SUMS")
        lines.append(f"{sha256_of(path)}  {path.name}\n")
    return "".join(lines)


def write_sums(files: list[Path]) -> Path:
    """SHA256SUMS in the folder of the files (all in one folder), covering exactly these files."""
    folders = {p.parent for p in files}
    if len(folders) != 1:
        raise PackagingError("SHA256SUMS covers files of one folder; got "
                             f"{', '.join(sorted(map(str, folders))) or 'none'}")
    out = folders.pop() / "SHA256SUMS"
    out.write_text(sums_text(files), encoding="utf-8")
    return out
