"""The Debian control file: rendered from packaging/deb/control.in, checked before dpkg-deb."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from string import Template

from fluxpack import PackagingError

_FIELD = re.compile(r"^[A-Z][A-Za-z0-9-]*: \S")
_PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
_RELATION = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9+.-]+)(?: \((?:>=|<=|>>|<<|=) [0-9A-Za-z.+~:-]+\))?$"
)
MAX_LINE = 80


def depends_field(wanted: Iterable[str], computed: Iterable[str]) -> str:
    """One Depends value: the wanted packages (the Makefile's list) in their order, then the ones
    computed from the bundle's binaries; a package named twice keeps its versioned form."""
    relations: dict[str, str] = {}
    for relation in (*wanted, *computed):
        match = _RELATION.match(relation)
        if match is None:
            raise PackagingError(
                f"{relation!r} is not a package name with an optional (>= version)"
            )
        name = match["name"]
        if name not in relations or "(" in relation:
            relations[name] = relation
    if not relations:
        raise PackagingError("the package would depend on nothing: the Makefile's list is empty")
    return ", ".join(relations.values())


def render_control(template: str, fields: Mapping[str, str]) -> str:
    """Substitute $name placeholders and check the result is a well-formed binary control file."""
    try:
        text = Template(template).substitute(fields)
    except (KeyError, ValueError) as exc:
        raise PackagingError(f"control template needs a value for {exc}") from exc
    check_control(text)
    return text


def check_control(text: str) -> None:
    """One stanza of `Field: value` lines and indented continuation lines, ending in a newline."""
    if not text.endswith("\n") or text.endswith("\n\n"):
        raise PackagingError("control file must end with exactly one newline")
    names = []
    for number, line in enumerate(text.splitlines(), start=1):
        # Only the description is shown in terminals as is; lintian holds it to 80 columns.
        if len(line) > MAX_LINE and (line.startswith((" ", "Description:"))):
            raise PackagingError(f"description line {number} is longer than {MAX_LINE} characters")
        if line.startswith(" "):
            if number == 1 or not line.strip():
                raise PackagingError(f"control line {number} continues nothing or is blank")
            continue
        if not _FIELD.match(line):
            raise PackagingError(f"control line {number} is not `Field: value`: {line!r}")
        names.append(line.split(":", 1)[0])
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise PackagingError(f"control fields given twice: {', '.join(sorted(duplicates))}")
    missing = {"Package", "Version", "Architecture", "Maintainer", "Description"} - set(names)
    if missing:
        raise PackagingError(f"control file lacks {', '.join(sorted(missing))}")
    package = text.split("Package: ", 1)[1].split("\n", 1)[0]
    if not _PACKAGE_NAME.match(package):
        raise PackagingError(f"{package!r} is not a valid Debian package name")
