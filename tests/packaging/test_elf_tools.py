"""The ELF steps with the real tools (objdump, patchelf, dpkg-query) on a copy of a system binary."""

import shutil
import subprocess

import pytest

from fluxpack.deb import package_of, system_depends
from fluxpack.elf import bundle_needs, drop_foreign_search_paths

TRUE = shutil.which("true")
needs_tools = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("objdump", "patchelf", "dpkg-query")) or TRUE is None,
    reason="needs binutils, patchelf and dpkg (make packagetools)",
)


def search_path(path):
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=True)
    return [line.split()[1] for line in out.stdout.splitlines()
            if line.split()[:1] in (["RPATH"], ["RUNPATH"])]


@needs_tools
def test_build_machine_search_paths_are_dropped_and_origin_ones_kept(tmp_path):
    foreign, mixed, clean = (tmp_path / n for n in ("foreign", "mixed", "clean"))
    for exe in (foreign, mixed, clean):
        shutil.copy(TRUE, exe)
    subprocess.run(["patchelf", "--set-rpath", "/root/.pyenv/versions/3.11.7/lib", str(foreign)],
                   check=True)
    subprocess.run(["patchelf", "--set-rpath", "/usr/local/lib:$ORIGIN/../lib", str(mixed)],
                   check=True)
    changed = drop_foreign_search_paths(tmp_path)
    assert changed == [str(foreign), str(mixed)]
    assert search_path(foreign) == []
    assert search_path(mixed) == ["$ORIGIN/../lib"]
    assert search_path(clean) == []
    subprocess.run([str(foreign)], check=True)  # still runs


@needs_tools
def test_what_a_binary_takes_from_the_system_becomes_package_relations(tmp_path):
    shutil.copy(TRUE, tmp_path / "tool")
    needs = bundle_needs(tmp_path)
    assert "libc.so.6" in needs.sonames
    assert needs.glibc is not None and needs.glibc.startswith("2.")
    relations = system_depends(needs)
    assert relations[0] == f"libc6 (>= {needs.glibc})"
    assert set(relations[1:]) == {"libc6"}
    assert package_of("libc.so.6") == "libc6"
