"""What a package is built from: pyproject's metadata and the Makefile's package lists."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from fluxpack import PackagingError

# PEP 440 release, pre-release, post and dev parts; a local part (+abc) has no place in a package.
_PEP440 = re.compile(
    r"^(?P<release>\d+(?:\.\d+)*)(?:(?P<pre>a|b|rc)(?P<pre_n>\d+))?"
    r"(?:\.post(?P<post>\d+))?(?:\.dev(?P<dev>\d+))?$"
)
_ASSIGN = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:?=\s*(?P<value>.*)$")
_REFERENCE = re.compile(r"\$\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\)")


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    summary: str
    maintainer: str  # "Name <email>", as Debian's Maintainer field wants it
    licence: str


def read_project(pyproject: Path) -> Project:
    """The [project] table of pyproject.toml: the one place the version and metadata live."""
    try:
        with pyproject.open("rb") as f:
            table = tomllib.load(f)["project"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise PackagingError(f"cannot read [project] from {pyproject}: {exc}") from exc
    maintainers = table.get("maintainers") or []
    if not maintainers or not maintainers[0].get("email"):
        raise PackagingError(
            f"{pyproject} names no maintainer with an email; add "
            '`maintainers = [{ name = "…", email = "…" }]` to [project]'
        )
    first = maintainers[0]
    return Project(
        name=str(table["name"]),
        version=str(table["version"]),
        summary=str(table.get("description", "")),
        maintainer=f"{first.get('name', first['email'])} <{first['email']}>",
        licence=str(table.get("license", "")),
    )


def debian_version(version: str) -> str:
    """A PEP 440 version as a Debian version that sorts the same way (0.2.0rc1 < 0.2.0)."""
    match = _PEP440.match(version)
    if match is None:
        raise PackagingError(
            f"version {version!r} in pyproject.toml is not a plain PEP 440 release such as "
            "1.2.3, 1.2.3rc1, 1.2.3.post1 or 1.2.3.dev4 (local versions cannot be packaged)"
        )
    out = match["release"]
    if match["pre"]:
        out += f"~{match['pre']}{match['pre_n']}"
    if match["post"]:
        out += f"+post{match['post']}"
    if match["dev"]:
        # A dev release of a final version comes before its alphas: "~~" sorts before "~a".
        bare = not match["pre"] and not match["post"]
        out += f"{'~~' if bare else '~'}dev{match['dev']}"
    return out


def makefile_words(text: str, name: str) -> list[str]:
    """The words of a simple Makefile variable (`NAME := a b \\` lines), with $(OTHER) expanded.

    Only plain assignments of words and references to other such variables are understood;
    anything else (functions, += ) raises, so the Makefile stays the one list without surprises.
    """
    variables: dict[str, str] = {}
    for line in re.sub(r"\\\n", " ", text).splitlines():
        match = _ASSIGN.match(line)
        if match:
            variables[match["name"]] = match["value"]
    return _expand(variables, name, ())


def _expand(variables: dict[str, str], name: str, seen: tuple[str, ...]) -> list[str]:
    if name in seen:
        raise PackagingError(f"Makefile variable {name} refers to itself")
    if name not in variables:
        raise PackagingError(f"the Makefile has no simple variable {name}")
    words: list[str] = []
    for word in variables[name].split():
        reference = _REFERENCE.fullmatch(word)
        if reference:
            words += _expand(variables, reference["name"], (*seen, name))
        elif "$" in word or "#" in word:
            raise PackagingError(
                f"Makefile variable {name} has {word!r}: only plain words are read"
            )
        else:
            words.append(word)
    return words
