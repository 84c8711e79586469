import shutil

import pytest

from fluxpack.elf import elf_files, parse_needs, search_path_fixes

OBJDUMP = """
/x/_internal/libQt6Core.so.6:     file format elf64-x86-64

Dynamic Section:
  NEEDED               libglib2.0.so.0
  NEEDED               libQt6Dep.so.6
  NEEDED               libc.so.6

Version References:
  required from libc.so.6:
    0x06969194 0x00 14 GLIBC_2.14
    0x06969197 0x00 10 GLIBC_2.17
    0x0d696917 0x00 08 GLIBC_2.7
/x/fluxdesk:     file format elf64-x86-64
  NEEDED               libz.so.1
    0x06969194 0x00 14 GLIBC_2.9
"""


def test_needs_are_the_libraries_the_bundle_lacks_and_the_newest_glibc():
    needs = parse_needs(OBJDUMP, ["libQt6Dep.so.6", "libQt6Core.so.6"])
    assert needs.sonames == {"libglib2.0.so.0", "libc.so.6", "libz.so.1"}
    # 2.17 is newer than 2.9 and 2.14, although not as text.
    assert needs.glibc == "2.17"


def test_no_glibc_reference_means_no_version():
    assert parse_needs("  NEEDED   libfoo.so.1\n", []).glibc is None


@pytest.mark.skipif(shutil.which("true") is None, reason="needs coreutils")
def test_elf_files_are_found_by_their_magic_not_their_name(tmp_path):
    shutil.copy(shutil.which("true"), tmp_path / "tool.txt")
    (tmp_path / "fake.so").write_bytes(b"not an ELF")
    (tmp_path / "link.so").symlink_to(tmp_path / "tool.txt")
    assert elf_files(tmp_path) == [tmp_path / "tool.txt"]


RUNPATHS = """
/b/_internal/libpython3.11.so.1.0:     file format elf64-x86-64
  RUNPATH              /root/.pyenv/versions/3.11.7/lib
/b/_internal/PySide6/QtCore.abi3.so:     file format elf64-x86-64
  RPATH                $ORIGIN/:$ORIGIN/Qt/lib:$ORIGIN/../shiboken6/
/b/_internal/mixed.so:     file format elf64-x86-64
  RUNPATH              /usr/local/lib:$ORIGIN/../lib
/b/_internal/plain.so:     file format elf64-x86-64
  NEEDED               libc.so.6
"""


def test_search_paths_outside_the_bundle_are_removed_and_origin_ones_kept():
    assert search_path_fixes(RUNPATHS) == {
        "/b/_internal/libpython3.11.so.1.0": None,
        "/b/_internal/mixed.so": "$ORIGIN/../lib",
    }
