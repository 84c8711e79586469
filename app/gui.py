"""GUI composition: QApplication, the qasync loop, pages, main window, tray and error reporting."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import qasync
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

import resources
from app import __version__, settings
from app.context import AppContext
from app.errorhook import ErrorReporter
from app.services import ServerTests, Services
from app.setup_gui import build_setup_ui
from app.wallet_wiring import build_wallet_ui
from ui.concurrency import Closer, Engine
from ui.error_dialog import ErrorDialog
from ui.main_window import MainWindow
from ui.pages.base import Page, PageEntry, translated
from ui.startup_probe import StartupProbe, after_first_paint
from ui.theme import apply_theme
from ui.tray import Tray

if TYPE_CHECKING:
    from ui.bench_service import BenchService
    from ui.install_service import InstallService
    from ui.monitor_service import MonitorService

qt_log = logging.getLogger("qt")
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, _context: object, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def build_pages(gui: Gui) -> list[PageEntry]:
    """The main window's pages, each built (and its module imported) when first shown; a page is
    added with one entry. Services only a page uses are made when that page is built."""
    ctx, app = gui.ctx, gui.app

    def benchmark_page() -> Page:
        from ui.pages.benchmark import BenchmarkPage

        return BenchmarkPage(gui.bench)

    def local_node_page() -> Page:
        from ui.pages.local_node import LocalNodePage

        return LocalNodePage(gui.install, gui.monitor)

    def settings_page() -> Page:
        from ui.pages.settings_page import SettingsPage

        return SettingsPage(
            ctx.settings,
            data_dir=ctx.data_dir,
            log_path=ctx.log_path,
            running_network=ctx.network,
            save=gui.services.save_settings,
            apply_theme=lambda theme: apply_theme(app, theme),
            tray_available=QSystemTrayIcon.isSystemTrayAvailable(),
            server_probe=ServerTests(gui.services, gui.engine.call),
            wallet=gui.wallet.model,
        )

    return [
        PageEntry("benchmark", 300, lambda: translated("BenchmarkPage", "Benchmark"),
                  benchmark_page),
        PageEntry("local_node", 400, lambda: translated("LocalNodePage", "Local node"),
                  local_node_page),
        PageEntry("settings", 900, lambda: translated("SettingsPage", "Settings"),
                  settings_page),
        *gui.wallet.entries,
        gui.setup.entry,
    ]


class Gui:
    """Owns the window and everything around it for one run of the app."""

    def __init__(
        self, ctx: AppContext, app: QApplication, services: Services | None = None
    ) -> None:
        self.ctx = ctx
        self.app = app
        self.icon = QIcon(str(resources.path("fluxdesk.svg")))
        app.setWindowIcon(self.icon)
        apply_theme(app, ctx.settings.ui.theme)
        self.services = services or Services(ctx)
        # The one concurrency rule (ui/concurrency.py): one engine loop for every service,
        # garbage collection on the GUI thread, every service closed when the app quits.
        self.engine = Engine()
        self.closer = Closer(self.engine, app)
        self.closer.attach(app)
        self.wallet = build_wallet_ui(self.services, self.engine)
        self.setup = build_setup_ui(self.services, self.wallet, self.engine)
        # Closed in reverse: the setup stops before the wallet it uses closes.
        for service in (self.wallet.model, self.wallet.nodes, self.setup.service):
            self.closer.register(service)
        # Made on first use (the benchmark and local node pages, the monitor's start after the
        # first paint).
        self._bench: BenchService | None = None
        self._install: InstallService | None = None
        self._monitor: MonitorService | None = None
        self.tray: Tray | None = None
        self.window = MainWindow(build_pages(self), self.icon, network=ctx.network)
        self.wallet.attach_window(self.window)
        self.setup.attach_window(self.window, self.wallet)
        if self.services.migration_notes:
            # Which wallet file was kept where, after an upgrade from the old layout.
            self.window.statusBar().showMessage(" ".join(self.services.migration_notes))
        self.window.close_to_tray = ctx.settings.ui.close_to_tray
        self.window.restore_geometry_state(ctx.settings.ui.window_geometry)
        self.window.about_requested.connect(self.show_about)
        self.window.quit_requested.connect(self.quit)
        self.window.closing.connect(self.remember_window)
        self.reporter = ErrorReporter(ctx.log_path, self.show_error)
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = Tray(self.window, self.icon)
            self.tray.quit_requested.connect(self.quit)
            self.tray.show()

    @property
    def bench(self) -> BenchService:
        if self._bench is None:
            from ui.bench_service import make_bench_service

            ctx = self.ctx
            self._bench = make_bench_service(ctx.data_dir, self.services.bench_endpoints,
                                             ctx.network, self.engine)
            self.closer.register(self._bench)
        return self._bench

    @property
    def install(self) -> InstallService:
        if self._install is None:
            from ui.install_service import InstallService, local_sessions

            ctx = self.ctx
            self._install = InstallService(local_sessions(ctx.data_dir), ctx.data_dir,
                                           ctx.network, self.engine)
            self.closer.register(self._install)
        return self._install

    @property
    def monitor(self) -> MonitorService:
        if self._monitor is None:
            from app.monitor_backend import build_monitor_service

            ctx = self.ctx
            self._monitor = build_monitor_service(
                ctx.settings, ctx.data_dir, lambda: settings.save(ctx.data_dir, ctx.settings),
                self.wallet, self.engine)  # the wallet's Flux ID for the doctor
            self.closer.register(self._monitor)
            if self.tray is not None:
                self._monitor.notify.connect(self.tray.notify)
        return self._monitor

    def show_about(self) -> None:
        from ui.about import AboutDialog  # reads every library's metadata: only when asked

        dialog = AboutDialog(__version__, self.window)
        dialog.open()

    def show_error(self, summary: str, details: str, log_hint: str) -> None:
        dialog = ErrorDialog(summary, details, log_hint, self.window)
        dialog.open()

    def remember_window(self) -> None:
        self.ctx.settings.ui.window_geometry = self.window.geometry_state()
        self.ctx.settings.ui.last_page = self.window.current_page_id()
        try:
            settings.save(self.ctx.data_dir, self.ctx.settings)
        except OSError as exc:
            logging.getLogger("fluxdesk").warning("could not save window state: %s", exc)

    def quit(self) -> None:
        self.window.quit_for_real()
        self.app.quit()

    def select_page(self, page: str | None) -> None:
        wanted = page or self.ctx.settings.ui.last_page
        if wanted:
            try:
                self.window.show_page(wanted)
            except KeyError:
                if page:
                    raise


def save_screenshot(window: MainWindow, app: QApplication, target: Path) -> None:
    window.show()
    for _ in range(5):
        app.processEvents()
    image = window.grab()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target), "PNG"):
        raise OSError(f"could not write {target}")


def run_gui(
    ctx: AppContext,
    screenshot: Path | None = None,
    page: str | None = None,
    startup_probe: float | None = None,
) -> int:
    qInstallMessageHandler(_qt_message)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("FluxDesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("fluxdesk")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    gui = Gui(ctx, app)
    gui.reporter.install(loop)
    try:
        gui.select_page(page)
    except KeyError as exc:
        print(f"fluxdesk: {exc.args[0]}", file=sys.stderr)
        return 2
    if screenshot is not None:
        gui.monitor.start()
        gui.window.show()
        loop.run_until_complete(gui.monitor.first_poll())
        save_screenshot(gui.window, app, screenshot)
        ctx.logger.info("screenshot saved to %s", screenshot)
        loop.run_until_complete(gui.closer.wait())
        return 0
    if startup_probe is not None:
        _arm_startup_probe(gui, app, startup_probe)
    if ctx.settings.ui.start_minimised and gui.tray is not None:
        gui.monitor.start()
    else:
        # The node monitor (its modules, its first poll) waits until the window is on screen.
        def start_monitor() -> None:
            gui.monitor.start()  # reading `gui.monitor` builds it: not before the paint

        after_first_paint(gui.window, start_monitor)
        gui.window.show()
    with loop:
        gui.closer.arm()
        loop.run_forever()
        # aboutToQuit started closing every service; finish that before the loop closes.
        loop.run_until_complete(gui.closer.wait())
    return 0


def _arm_startup_probe(gui: Gui, app: QApplication, idle_seconds: float) -> None:
    """For `make bench`: print when the window first painted and the idle RSS, then quit."""
    gui.probe = StartupProbe(gui.window, idle_seconds, gui.quit)  # type: ignore[attr-defined]
