import hashlib
import shutil
import subprocess

import pytest

from fluxpack import PackagingError
from fluxpack.checksums import sums_text, write_sums


def test_sums_list_each_file_once_sorted_with_its_sha256(tmp_path):
    b = tmp_path / "b.deb"
    a = tmp_path / "a.deb"
    b.write_bytes(b"second")
    a.write_bytes(b"first" * 100_000)
    text = sums_text([b, a])
    assert text == (
        f"{hashlib.sha256(b'first' * 100_000).hexdigest()}  a.deb\n"
        f"{hashlib.sha256(b'second').hexdigest()}  b.deb\n"
    )


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils sha256sum")
def test_sha256sum_checks_the_file_and_catches_a_changed_package(tmp_path):
    deb = tmp_path / "fluxdesk_1.0_amd64.deb"
    deb.write_bytes(b"package bytes")
    (tmp_path / "other.deb").write_bytes(b"not listed")
    sums = write_sums([deb])
    assert sums == tmp_path / "SHA256SUMS"
    assert "other.deb" not in sums.read_text()
    check = ["sha256sum", "--check", "--strict", "SHA256SUMS"]
    assert subprocess.run(check, cwd=tmp_path, capture_output=True, check=False).returncode == 0
    deb.write_bytes(b"package bytes, changed")
    assert subprocess.run(check, cwd=tmp_path, capture_output=True, check=False).returncode != 0


def test_sums_refuse_missing_files_and_files_of_several_folders(tmp_path):
    with pytest.raises(PackagingError, match="not a file"):
        sums_text([tmp_path / "missing.deb"])
    (tmp_path / "sub").mkdir()
    one, two = tmp_path / "a.deb", tmp_path / "sub" / "b.deb"
    one.write_bytes(b"1")
    two.write_bytes(b"2")
    with pytest.raises(PackagingError, match="one folder"):
        write_sums([one, two])
    with pytest.raises(PackagingError, match="one folder"):
        write_sums([])
