import json
import os
import subprocess
import sys
import time

import pytest
from PySide6.QtGui import QImage

from app import __version__
from tests import cli
from tests.paths import REPO_ROOT


def run_fluxdesk(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return cli.run_fluxdesk(*args, env={"QT_QPA_PLATFORM": "offscreen"}, timeout=timeout)


def test_version():
    result = run_fluxdesk("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"fluxdesk {__version__}"


def image_is_not_blank(path) -> bool:
    image = QImage(str(path))
    assert not image.isNull()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    return len(colours) > 20


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot_writes_a_real_png(tmp_path, theme):
    out = tmp_path / "shot.png"
    result = run_fluxdesk(
        "--data-dir", str(tmp_path / "d"), "--theme", theme, "--screenshot", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000
    assert image_is_not_blank(out)
    assert (tmp_path / "d" / "logs" / "fluxdesk.log").is_file()


def test_screenshot_of_unknown_page_names_the_pages(tmp_path):
    result = run_fluxdesk(
        "--data-dir", str(tmp_path), "--screenshot", str(tmp_path / "x.png"), "--page", "nope"
    )
    assert result.returncode == 2
    assert "settings" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_everything_written_goes_to_the_data_dir(tmp_path):
    data = tmp_path / "d"
    result = run_fluxdesk(
        "--data-dir", str(data), "--network", "regtest", "--screenshot", str(data / "s.png")
    )
    assert result.returncode == 0, result.stderr
    log = (data / "logs" / "fluxdesk.log").read_text()
    assert "network regtest" in log


def test_startup_probe_reports_paint_time_and_memory(tmp_path):
    started = time.time()
    result = run_fluxdesk("--data-dir", str(tmp_path), "--startup-probe", "0.2")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert 0 < report["painted_at"] - started < 30
    assert 10 < report["idle_rss_mb"] < 2000


@pytest.mark.xvfb
def test_real_window_under_xvfb(tmp_path):
    # The xcb platform with a real X server: proves the system libraries Qt needs are present.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    result = subprocess.run(
        [
            "xvfb-run",
            "-a",
            sys.executable,
            "-m",
            "app.main",
            "--data-dir",
            str(tmp_path),
            "--startup-probe",
            "0.3",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "idle_rss_mb" in result.stdout


def test_entry_point_can_start_the_privileged_helper():
    # The frozen bundle has no `python -m`, so the installer starts the helper through this flag.
    result = cli.run_fluxdesk("--privileged-helper", stdin="", timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["ready"] is True
