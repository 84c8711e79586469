import shutil
import subprocess

import pytest

from fluxpack import PackagingError
from fluxpack.control import check_control, depends_field, render_control
from fluxpack.project import makefile_words
from tests.paths import REPO_ROOT

TEMPLATE = (REPO_ROOT / "packaging/deb/control.in").read_text()
RUNTIME = makefile_words((REPO_ROOT / "Makefile").read_text(), "RUNTIME_PACKAGES")


def fields(**over):
    base = {
        "package": "fluxdesk",
        "version": "1.2.3~rc1",
        "architecture": "amd64",
        "maintainer": "FluxDesk maintainers <m@example.org>",
        "installed_size": "1234",
        "depends": depends_field(RUNTIME, ["libc6 (>= 2.36)", "libxcb1"]),
        "recommends": "gnome-keyring",
    }
    return base | over


def parse(text):
    out, last = {}, None
    for line in text.splitlines():
        if line.startswith(" "):
            out[last] += "\n" + line
        else:
            last, value = line.split(": ", 1)
            out[last] = value
    return out


def test_rendered_control_carries_the_makefile_runtime_list_and_the_computed_libraries():
    control = parse(render_control(TEMPLATE, fields()))
    assert control["Package"] == "fluxdesk"
    assert control["Version"] == "1.2.3~rc1"
    assert control["Installed-Size"] == "1234"
    depends = control["Depends"].split(", ")
    assert depends[: len(RUNTIME)] == RUNTIME
    assert depends[len(RUNTIME):] == ["libc6 (>= 2.36)", "libxcb1"]
    assert "~/.local/share/FluxDesk" in control["Description"]


def test_depends_keep_the_first_order_and_the_versioned_form_of_a_package_named_twice():
    assert depends_field(["aa", "bb", "libc6"], ["libc6 (>= 2.36)", "aa", "cc"]) == (
        "aa, bb, libc6 (>= 2.36), cc"
    )


@pytest.mark.parametrize("bad", ["Foo", "a,b", "x (>= )", "x (~ 1)", ""])
def test_depends_refuse_what_is_not_a_relation(bad):
    with pytest.raises(PackagingError):
        depends_field([bad], [])


def test_depends_refuse_an_empty_list():
    with pytest.raises(PackagingError, match="depend on nothing"):
        depends_field([], [])


def test_a_missing_template_value_is_named():
    values = fields()
    del values["maintainer"]
    with pytest.raises(PackagingError, match="maintainer"):
        render_control(TEMPLATE, values)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Package: x\nVersion: 1\n", "lacks Architecture, Description, Maintainer"),
        ("Package: x\nPackage: y\n", "given twice: Package"),
        ("Package: x\n\n", "exactly one newline"),
        ("Package: x", "exactly one newline"),
        (" continued\n", "continues nothing"),
        ("Package x\n", "not `Field: value`"),
        ("Description: s\n " + "y" * 90 + "\n", "longer than 80"),
    ],
)
def test_malformed_control_files_are_refused(text, message):
    with pytest.raises(PackagingError, match=message):
        check_control(text)


def test_an_invalid_package_name_is_refused():
    with pytest.raises(PackagingError, match="valid Debian package name"):
        render_control(TEMPLATE, fields(package="Flux_Desk"))


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")
def test_dpkg_deb_accepts_the_rendered_control_file(tmp_path):
    root = tmp_path / "root"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_text(render_control(TEMPLATE, fields()))
    deb = tmp_path / "x.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Znone", "--build", str(root), str(deb)],
                   check=True, capture_output=True)
    shown = subprocess.run(["dpkg-deb", "--field", str(deb), "Version", "Depends"],
                           check=True, capture_output=True, text=True).stdout
    assert "Version: 1.2.3~rc1" in shown and "libc6 (>= 2.36)" in shown
