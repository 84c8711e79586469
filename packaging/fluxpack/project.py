"""What a package is built from: pyproject's metadata and the Makefile's package lists."""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """The [project] table of pyproject.toml: the one place the metadata live (the version there,
    or where its dynamic version points)."""
    try:
        with pyproject.open("rb") as f:
            data = tomllib.load(f)
        table = data["project"]
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
        version=_version(pyproject, data),
        summary=str(table.get("description", "")),
        maintainer=f"{first.get('name', first['email'])} <{first['email']}>",
        licence=str(table.get("license", "")),
    )


def _version(pyproject: Path, data: dict[str, Any]) -> str:
    """[project] version, or the string literal its setuptools dynamic version names
    (``attr = "package.__version__"``), read as setuptools reads it: without importing."""
    table = data["project"]
    if "version" in table:
        return str(table["version"])
    dynamic = data.get("tool", {}).get("setuptools", {}).get("dynamic", {}).get("version", {})
    attr = dynamic.get("attr") if isinstance(dynamic, dict) else None
    if "version" not in table.get("dynamic", []) or not isinstance(attr, str) or "." not in attr:
        raise PackagingError(
            f"{pyproject} gives no version: set [project] version, or list it in dynamic with "
            '[tool.setuptools.dynamic] version = { attr = "package.__version__" }'
        )
    module, _, name = attr.rpartition(".")
    base = pyproject.parent.joinpath(*module.split("."))
    source = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"), str(source))
    except (OSError, SyntaxError) as exc:
        raise PackagingError(f"cannot read the version from {source}: {exc}") from exc
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)):
            return node.value.value
    raise PackagingError(f"{source} does not set {name} to a string literal")


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
