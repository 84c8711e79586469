import ctypes.util

import pytest

from app import qtcheck
from app.qtcheck import QtEnvironmentError, check_qt_environment


def test_no_display_gives_a_readable_message(monkeypatch):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(QtEnvironmentError, match="xvfb-run"):
        check_qt_environment()


def test_missing_library_names_the_apt_command(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(qtcheck, "library_present", lambda n, _cache: n != "xcb-cursor")
    with pytest.raises(QtEnvironmentError) as info:
        check_qt_environment()
    assert "sudo apt-get install -y libxcb-cursor0" in str(info.value)


def test_offscreen_with_libraries_present_passes(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(qtcheck, "library_present", lambda _n, _cache: True)
    check_qt_environment()


def test_one_read_of_the_linker_cache_finds_what_find_library_finds():
    cache = qtcheck.linker_cache()
    names = [*qtcheck.XCB_LIBRARIES, *qtcheck.CORE_LIBRARIES, "c", "m", "no-such-library-here"]
    for name in names:
        assert qtcheck.library_present(name, cache) == (
            ctypes.util.find_library(name) is not None), name
    assert not qtcheck.library_present("no-such-library-here", cache)
