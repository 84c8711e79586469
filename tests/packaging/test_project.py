import itertools
import shutil
import subprocess

import pytest

from app import __version__
from fluxpack import PackagingError
from fluxpack.project import debian_version, makefile_words, read_project
from tests.paths import REPO_ROOT

MAKEFILE = (REPO_ROOT / "Makefile").read_text()


@pytest.mark.parametrize(
    ("pep440", "debian"),
    [
        ("0.1.0", "0.1.0"),
        ("1.2.3rc1", "1.2.3~rc1"),
        ("2.0b2", "2.0~b2"),
        ("1.0.post3", "1.0+post3"),
        ("1.1.dev4", "1.1~~dev4"),
        ("1.1rc2.dev1", "1.1~rc2~dev1"),
    ],
)
def test_debian_version(pep440, debian):
    assert debian_version(pep440) == debian


@pytest.mark.parametrize("bad", ["1.0+local", "v1.0", "1.0-1", "", "1..0", "1.0 "])
def test_versions_that_cannot_be_packaged_are_refused(bad):
    with pytest.raises(PackagingError, match="PEP 440"):
        debian_version(bad)


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs dpkg")
def test_debian_versions_sort_as_the_python_versions_do():
    ordered = ["1.0.dev1", "1.0a1", "1.0b2", "1.0rc1.dev2", "1.0rc1", "1.0", "1.0.post1.dev1",
               "1.0.post1", "1.1.dev1", "1.1"]
    converted = [debian_version(v) for v in ordered]
    for lower, higher in itertools.pairwise(converted):
        compare = ["dpkg", "--compare-versions", lower, "lt", higher]
        assert subprocess.run(compare, check=False).returncode == 0, (lower, higher)


def test_version_is_read_from_pyproject_and_is_the_apps():
    project = read_project(REPO_ROOT / "pyproject.toml")
    assert project.name == "fluxdesk"
    assert project.version == __version__
    assert "<" in project.maintainer and project.maintainer.endswith(">")


def test_a_dynamic_version_is_read_from_the_attribute_it_names(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text('"""Doc."""\n\n__version__ = "2.3.4rc1"\n')
    pyproject = tmp_path / "pyproject.toml"
    head = '[project]\nname = "x"\nmaintainers = [{ name = "M", email = "m@example.org" }]\n'
    pyproject.write_text(head + 'dynamic = ["version"]\n[tool.setuptools.dynamic]\n'
                         'version = { attr = "pkg.__version__" }\n')
    assert read_project(pyproject).version == "2.3.4rc1"
    (tmp_path / "pkg" / "__init__.py").write_text("__version__ = make_version()\n")
    with pytest.raises(PackagingError, match="string literal"):
        read_project(pyproject)
    pyproject.write_text(head)
    with pytest.raises(PackagingError, match="no version"):
        read_project(pyproject)


def test_pyproject_without_a_maintainer_is_refused(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\nversion = "1.0"\n')
    with pytest.raises(PackagingError, match="maintainers"):
        read_project(pyproject)
    with pytest.raises(PackagingError, match="cannot read"):
        read_project(tmp_path / "missing.toml")


def test_makefile_words_follow_continuations_and_references():
    text = "A := one two \\\n\tthree\nB := $(A) four\nC = x\n\trecipe: line\n"
    assert makefile_words(text, "A") == ["one", "two", "three"]
    assert makefile_words(text, "B") == ["one", "two", "three", "four"]
    assert makefile_words(text, "C") == ["x"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A := x\n", "no simple variable B"),
        ("B := $(B)\n", "refers to itself"),
        ("B := $(shell ls)\n", "only plain words"),
        ("B := a # note\n", "only plain words"),
    ],
)
def test_makefile_words_refuse_what_they_do_not_understand(text, message):
    with pytest.raises(PackagingError, match=message):
        makefile_words(text, "B")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    "name", ["RUNTIME_PACKAGES", "OPTIONAL_PACKAGES", "SYSTEM_PACKAGES", "PACKAGE_TOOLS"]
)
def test_makefile_lists_read_as_make_itself_expands_them(name):
    make = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-", "print-list"],
        input=f"print-list:\n\t@echo $({name})\n",
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )
    assert makefile_words(MAKEFILE, name) == make.stdout.split()


def test_the_one_system_list_is_runtime_plus_optional_plus_test_packages():
    parts = [makefile_words(MAKEFILE, n) for n in
             ("RUNTIME_PACKAGES", "OPTIONAL_PACKAGES", "TEST_PACKAGES")]
    assert makefile_words(MAKEFILE, "SYSTEM_PACKAGES") == [p for part in parts for p in part]
    assert "libxcb-cursor0" in parts[0] and "xvfb" in parts[2]
