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
_FILE = re.compile(r"^(?P<path>\S.*):\s+file format \S+$", re.MULTILINE)
_SEARCH_PATH = re.compile(r"^\s+(?:RPATH|RUNPATH)\s+(\S+)$", re.MULTILINE)


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


def search_path_fixes(objdump_private: str) -> dict[str, str | None]:
    """Files whose RPATH/RUNPATH names folders outside the bundle (the build machine's Python,
    say), with what it should be: the $ORIGIN-relative part, or None to remove it."""
    fixes: dict[str, str | None] = {}
    starts = list(_FILE.finditer(objdump_private))
    for here, after in zip(starts, [*starts[1:], None], strict=True):
        block = objdump_private[here.end(): after.start() if after else None]
        for value in _SEARCH_PATH.findall(block):
            kept = [part for part in value.split(":") if part.startswith("$ORIGIN")]
            if len(kept) != len(value.split(":")):
                fixes[here["path"]] = ":".join(kept) or None
    return fixes


def objdump_private(root: Path) -> str:
    files = elf_files(root)
    if not files:
        raise PackagingError(f"no ELF files under {root}: is it a PyInstaller bundle?")
    return run(["objdump", "-p", *map(str, files)])


def bundle_needs(root: Path) -> Needs:
    bundled = {p.name for p in root.rglob("*") if ".so" in p.name}
    return parse_needs(objdump_private(root), bundled)


def drop_foreign_search_paths(root: Path) -> list[str]:
    """Make the bundle look for libraries only in itself and the system's standard folders."""
    fixes = search_path_fixes(objdump_private(root))
    for path, value in sorted(fixes.items()):
        if value is None:
            run(["patchelf", "--remove-rpath", path])
        else:
            run(["patchelf", "--set-rpath", value, path])
    return sorted(fixes)


def strip(files: Iterable[Path]) -> None:
    """Strip shared objects like dh_strip (debug symbols out, dynamic symbols kept)."""
    paths = [str(p) for p in files]
    if paths:
        run(["strip", "--strip-unneeded", "--remove-section=.comment",
              "--remove-section=.note", *paths])

