"""A .deb from the PyInstaller bundle: /opt/fluxdesk, /usr/bin/fluxdesk, menu entry, icon, docs.

Everything goes through dpkg-deb with --root-owner-group, so every installed file is root-owned;
modes are set here (0755 directories and the executable, 0644 the rest), so nothing in
/opt/fluxdesk is writable by anyone but root: the privileged helper starts from there.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

from fluxpack import PackagingError
from fluxpack.control import depends_field, render_control
from fluxpack.elf import Needs, bundle_needs, drop_foreign_search_paths, elf_files, strip
from fluxpack.project import Project, debian_version, makefile_words, read_project
from fluxpack.tools import run

PREFIX = Path("opt/fluxdesk")
EXECUTABLE = "fluxdesk"


@dataclass(frozen=True)
class Sources:
    """Where the inputs live: the repository (templates, resources, lists) and the bundle."""

    repo: Path
    bundle: Path

    @property
    def templates(self) -> Path:
        return self.repo / "packaging"


def build(sources: Sources, out_dir: Path, work_dir: Path) -> Path:
    """Stage the tree, check its metadata, build the .deb into out_dir; returns its path."""
    project = read_project(sources.repo / "pyproject.toml")
    version = debian_version(project.version)
    check_bundle_version(sources.bundle, project.version)
    # The bundle holds this machine's binaries: the package is for this machine's architecture.
    architecture = run(["dpkg", "--print-architecture"]).strip()
    root = work_dir / f"{project.name}_{version}_{architecture}"
    if root.exists():
        shutil.rmtree(root)
    stage(sources, root, project, version)
    makefile = (sources.repo / "Makefile").read_text(encoding="utf-8")
    fields = {
        "package": project.name,
        "version": version,
        "architecture": architecture,
        "maintainer": project.maintainer,
        "installed_size": str(installed_size_kib(root)),
        "depends": depends_field(makefile_words(makefile, "RUNTIME_PACKAGES"),
                                 system_depends(bundle_needs(root / PREFIX))),
        "recommends": depends_field(makefile_words(makefile, "OPTIONAL_PACKAGES"), ()),
    }
    template = (sources.templates / "deb" / "control.in").read_text(encoding="utf-8")
    debian = root / "DEBIAN"
    debian.mkdir(mode=0o755)
    (debian / "control").write_text(render_control(template, fields), encoding="utf-8")
    (debian / "md5sums").write_text(md5sums(root), encoding="utf-8")
    set_modes(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{root.name}.deb"
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(deb)])
    return deb


def check_bundle_version(bundle: Path, version: str) -> None:
    """The bundle must be built from this tree's version (a stale dist/ would be mislabelled)."""
    executable = bundle / EXECUTABLE
    if not executable.is_file():
        raise PackagingError(f"no bundle at {executable}: run `make bundle` first")
    said = run([str(executable), "--version"]).strip()
    if said != f"fluxdesk {version}":
        raise PackagingError(f"the bundle says {said!r} but pyproject.toml says {version}: "
                             "rebuild it with `make bundle`")


def stage(sources: Sources, root: Path, project: Project, version: str) -> None:
    opt = root / PREFIX
    shutil.copytree(sources.bundle, opt, symlinks=True)
    # The entry executable is already stripped by PyInstaller and carries its archive in a section.
    strip(p for p in elf_files(opt) if p != opt / EXECUTABLE)
    # PyInstaller copies the build machine's libpython with a RUNPATH into its prefix
    # (/root/.pyenv/…): on a user's machine nothing may be loaded from such a folder.
    drop_foreign_search_paths(opt)
    usr_bin = root / "usr/bin"
    usr_bin.mkdir(parents=True)
    # Between two top-level folders, Debian policy wants an absolute link.
    (usr_bin / EXECUTABLE).symlink_to(Path("/") / PREFIX / EXECUTABLE)
    share = root / "usr/share"
    _copy(sources.repo / "resources/fluxdesk.desktop", share / "applications/fluxdesk.desktop")
    _copy(sources.repo / "resources/fluxdesk.svg",
          share / "icons/hicolor/scalable/apps/fluxdesk.svg")
    when = build_date()
    metainfo = Template((sources.templates / "linux/fluxdesk.metainfo.xml.in").read_text("utf-8"))
    _write(share / "metainfo/fluxdesk.metainfo.xml",
           metainfo.substitute(version=version, date=time.strftime("%Y-%m-%d", time.gmtime(when))))
    doc = share / "doc" / project.name
    _copy(sources.templates / "deb/copyright", doc / "copyright")
    changelog = Template((sources.templates / "deb/changelog.in").read_text("utf-8")).substitute(
        package=project.name, version=version, upstream_version=project.version,
        maintainer=project.maintainer,
        date=time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(when)))
    _write_gz(doc / "changelog.gz", changelog.encode())
    _copy(sources.templates / "deb/lintian-overrides", share / "lintian/overrides" / project.name)
    manual = run(["help2man", "--no-info",
                   "--name", project.summary.split(" for ")[0].lower(),
                   "--version-string", project.version, str(opt / EXECUTABLE)])
    _write_gz(share / "man/man1/fluxdesk.1.gz", manual.encode())
    validate_metadata(share)


def validate_metadata(share: Path) -> None:
    """The menu entry and AppStream data as the desktop's own validators see them."""
    run(["desktop-file-validate", str(share / "applications/fluxdesk.desktop")])
    # The component id is the desktop file's id, `fluxdesk` (the app sets it as its desktop file
    # name): the project has no domain yet for a reverse-DNS id, so that one check is only noted.
    run(["appstreamcli", "validate", "--no-net", "--pedantic",
         "--override=cid-desktopapp-is-not-rdns=info",
         str(share / "metainfo/fluxdesk.metainfo.xml")])


def system_depends(needs: Needs) -> list[str]:
    """Packages (as dpkg knows them here) for the libraries the bundle takes from the system."""
    relations = [f"libc6 (>= {needs.glibc})"] if needs.glibc else []
    # libc.so.6, libm.so.6, the loader… map to libc6, which depends_field keeps once, versioned.
    relations += [package_of(soname) for soname in sorted(needs.sonames)]
    return relations


def package_of(soname: str) -> str:
    owners = run(["dpkg-query", "-S", f"*/{soname}"])
    names = sorted({line.split(":", 1)[0] for line in owners.splitlines()
                    if ":" in line and not line.startswith("diversion")})
    if not names:
        raise PackagingError(f"no installed package provides {soname}")
    return names[0]


def build_date() -> int:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the time of the last commit."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        return int(run(["git", "log", "-1", "--format=%ct"]).strip())
    except (PackagingError, ValueError):
        return int(time.time())


def installed_size_kib(root: Path) -> int:
    """Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, one per directory."""
    total = 0
    for path in root.rglob("*"):
        if path.is_symlink() or path.is_dir():
            total += 1
        else:
            total += -(-path.stat().st_size // 1024)
    return total


def md5sums(root: Path) -> str:
    lines = []
    for path in sorted(root.rglob("*")):
        inside = path.relative_to(root)
        if path.is_file() and not path.is_symlink() and inside.parts[0] != "DEBIAN":
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {inside}\n")
    return "".join(lines)


def set_modes(root: Path) -> None:
    """0755 directories and the executable, 0644 everything else: only root may change a file."""
    executable = root / PREFIX / EXECUTABLE
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        path.chmod(0o755 if path.is_dir() or path == executable else 0o644)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _write_gz(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0 and no file name inside, as `gzip -9n` writes it (reproducible, lintian-clean).
    with target.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as gz:
        gz.write(data)

