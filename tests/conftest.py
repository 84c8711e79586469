"""Test-wide set-up: offscreen Qt, hermetic data dirs, skips for missing system tools."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the user's real data or keyring config.
os.environ.setdefault("XDG_DATA_HOME", "/nonexistent-fluxdesk-test-xdg")

APT_HINT = "sudo apt-get install -y sysbench xvfb xauth dbus gnome-keyring libxcb-cursor0"


def _secret_service_reachable() -> bool:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    try:
        import secretstorage

        connection = secretstorage.dbus_init()
        try:
            collection = secretstorage.get_default_collection(connection)
            return not collection.is_locked()
        finally:
            connection.close()
    except Exception:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing: dict[str, str] = {}
    if shutil.which("sysbench") is None:
        missing["sysbench"] = (
            f"sysbench is not installed ({APT_HINT}; `make test` as root installs it)"
        )
    if shutil.which("xvfb-run") is None:
        missing["xvfb"] = f"xvfb-run is not installed ({APT_HINT})"
    if (
        "keyring" in {m.name for item in items for m in item.iter_markers()}
        and not _secret_service_reachable()
    ):
        missing["keyring"] = (
            "no unlocked Secret Service on the session bus; run under "
            "dbus-run-session with gnome-keyring-daemon --unlock (make test does this)"
        )
    for item in items:
        for marker, reason in missing.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def qasync_loop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the test's QApplication, closed after the test."""
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def engine(qapp: Any) -> Iterator[Any]:
    """The app's one engine loop thread (ui/concurrency.py), stopped after the test. As in the
    app, garbage collection moves to the GUI thread once it exists."""
    from ui.concurrency import Engine

    running = Engine()
    yield running
    running.stop()


@pytest.fixture
def qt_loop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop that counts as running whenever Qt processes events, as in the app: then
    `qtbot.waitUntil` / `qtbot.waitSignal` drive the coroutines behind @asyncSlot."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.events._set_running_loop(None)
    # "Already running" has no stop (stop() would exit the QApplication's event loop).
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    loop.close()
    asyncio.set_event_loop(None)


def complete(qtbot: Any, awaitable: Awaitable[T], timeout: float = 20) -> T:
    """The result of `awaitable`, letting Qt (and so the loop) run until it is there."""
    future = asyncio.ensure_future(awaitable)
    qtbot.waitUntil(future.done, timeout=int(timeout * 1000))
    return future.result()
