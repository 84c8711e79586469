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
    real = qtcheck.ctypes.util.find_library
    monkeypatch.setattr(
        qtcheck.ctypes.util, "find_library", lambda n: None if n == "xcb-cursor" else real(n) or n
    )
    with pytest.raises(QtEnvironmentError) as info:
        check_qt_environment()
    assert "sudo apt-get install -y libxcb-cursor0" in str(info.value)


def test_offscreen_with_libraries_present_passes(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(qtcheck.ctypes.util, "find_library", lambda n: n)
    check_qt_environment()
