"""The bundle's ELF files: which system libraries they need, and stripping them as Debian does."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fluxpack import PackagingError
from fluxpack.tools import run

ELF_MAGIC = b"\x7fELF"
_NEEDED = re.compile(r"^\s+NEEDED\s+(\S+)$", re.MULTILINE)
_GLIBC = re.compile(r"\bGLIBC_(\d+(?:\.\d+)+)\b")


@dataclass(frozen=True)
class Needs:
    """What the bundle takes from the system: libraries it does not carry, and glibc's version."""

    sonames: frozenset[str]
    glibc: str | None


def is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == ELF_MAGIC


def elf_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p))


def parse_needs(objdump_private: str, bundled: Iterable[str]) -> Needs:
    """From `objdump -p` of every ELF file: NEEDED libraries the bundle lacks, newest GLIBC_x.y."""
    carried = set(bundled)
    sonames = frozenset(set(_NEEDED.findall(objdump_private)) - carried)
    versions = {tuple(int(part) for part in v.split(".")) for v in _GLIBC.findall(objdump_private)}
    glibc = ".".join(str(part) for part in max(versions)) if versions else None
    return Needs(sonames=sonames, glibc=glibc)


def bundle_needs(root: Path) -> Needs:
    files = elf_files(root)
    if not files:
        raise PackagingError(f"no ELF files under {root}: is it a PyInstaller bundle?")
    result = run(["objdump", "-p", *map(str, files)])
    bundled = {p.name for p in root.rglob("*") if ".so" in p.name}
    return parse_needs(result, bundled)


def strip(files: Iterable[Path]) -> None:
    """Strip shared objects like dh_strip (debug symbols out, dynamic symbols kept)."""
    paths = [str(p) for p in files]
    if paths:
        run(["strip", "--strip-unneeded", "--remove-section=.comment",
              "--remove-section=.note", *paths])

