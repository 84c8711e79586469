import hashlib
import stat

from fluxpack.deb import PREFIX, installed_size_kib, md5sums, set_modes

EXECUTABLE = b"\x7fELF executable"


def make_tree(root):
    opt = root / PREFIX
    (opt / "_internal/sub").mkdir(parents=True)
    (opt / "fluxdesk").write_bytes(EXECUTABLE)
    (opt / "_internal/libfoo.so.1").write_bytes(b"x" * 1025)
    (opt / "_internal/sub/data.txt").write_text("data")
    (opt / "_internal/libfoo.so").symlink_to("libfoo.so.1")
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/fluxdesk").symlink_to("/opt/fluxdesk/fluxdesk")
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN/control").write_text("Package: x\n")
    # What a careless build leaves: group/other-writable files and folders, stray x bits.
    for path in root.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o777)
    return opt


def test_only_root_can_change_anything_and_only_the_executable_runs(tmp_path):
    opt = make_tree(tmp_path)
    set_modes(tmp_path)
    modes = {
        str(p.relative_to(tmp_path)): stat.S_IMODE(p.lstat().st_mode)
        for p in [tmp_path, *tmp_path.rglob("*")]
        if not p.is_symlink()
    }
    assert modes.pop("opt/fluxdesk/fluxdesk") == 0o755
    dirs = {k for k in modes if (tmp_path / k).is_dir()}
    assert all(modes[d] == 0o755 for d in dirs)
    assert all(modes[f] == 0o644 for f in set(modes) - dirs), modes
    assert (opt / "_internal/libfoo.so").is_symlink()


def test_md5sums_list_every_installed_file_but_not_links_or_control_files(tmp_path):
    make_tree(tmp_path)
    lines = md5sums(tmp_path).splitlines()
    assert lines == [
        f"{hashlib.md5(b'x' * 1025).hexdigest()}  opt/fluxdesk/_internal/libfoo.so.1",
        f"{hashlib.md5(b'data').hexdigest()}  opt/fluxdesk/_internal/sub/data.txt",
        f"{hashlib.md5(EXECUTABLE).hexdigest()}  opt/fluxdesk/fluxdesk",
    ]


def test_installed_size_counts_kib_rounded_up_and_one_per_folder_or_link(tmp_path):
    make_tree(tmp_path)
    # files: 1025 B -> 2, 4 B -> 1, 16 B -> 1, DEBIAN/control 11 B -> 1;
    # folders: opt, opt/fluxdesk, _internal, sub, usr, usr/bin, DEBIAN; links: 2.
    assert installed_size_kib(tmp_path) == 5 + 7 + 2
