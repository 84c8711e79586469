"""Install wizard on the sandbox host: preflight → collateral → plan → run → done (acceptance 5).

Screenshots of each page go to $FLUXDESK_SHOTS (default: the test's tmp dir) for a human look.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from aiohttp import web
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nodectl.install.sandbox import SandboxHost, sandbox_key_source
from nodectl.install.session import InstallSession
from tests.conftest import complete
from tests.nodectl.install.conftest import TXID, WIF, ZELID, BootstrapServer, make_bootstrap
from ui.concurrency import Engine
from ui.install_service import InstallService
from ui.pages.local_node import LocalNodePage

pytestmark = pytest.mark.gui


class Rig:
    def __init__(self, qtbot, tmp: Path, pid1: str, engine: Engine) -> None:
        self.qtbot = qtbot
        self.shots = Path(os.environ.get("FLUXDESK_SHOTS", str(tmp / "shots")))
        self.shots.mkdir(parents=True, exist_ok=True)
        self.server = BootstrapServer()
        self.server.files["b.tar.gz"] = make_bootstrap()
        app = web.Application()
        app.router.add_get("/{name}", self.server.handle)
        self.web = web.AppRunner(app)
        complete(qtbot, self.web.setup())
        site = web.TCPSite(self.web, "127.0.0.1", 0)
        complete(qtbot, site.start())
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.host = SandboxHost(tmp / "root")
        self.host.seed_machine(pid1=pid1)
        options = {"bootstrap_cdns": [f"http://127.0.0.1:{port}/b.tar.gz"],
                   "daemon_poll_s": 0.01}

        def sessions(_privileged: bool) -> InstallSession:
            return InstallSession(self.host, tmp / "data", sandbox_key_source, dict(options))

        # The install runs on the app's engine loop, as in the app (ui/concurrency.py).
        self.service = InstallService(sessions, tmp / "data", "mainnet", engine)
        self.page = LocalNodePage(self.service)
        qtbot.addWidget(self.page)
        self.page.resize(1000, 720)
        self.page.show()
        self.wizard = self.page.wizard

    def shot(self, name: str) -> Path:
        path = self.shots / f"wizard-{name}.png"
        assert self.page.grab().save(str(path))
        return path

    def close(self) -> None:
        complete(self.qtbot, self.service.wait(), timeout=60)
        complete(self.qtbot, self.web.cleanup())


@pytest.fixture
def rig(qtbot, qt_loop: asyncio.AbstractEventLoop, tmp_path: Path, engine: Engine):
    made: list[Rig] = []

    def make(pid1: str = "systemd") -> Rig:
        made.append(Rig(qtbot, tmp_path, pid1, engine))
        return made[-1]
    yield make
    for item in made:
        item.close()


def fill(rig: Rig, **over: str) -> None:
    values = {"identity_wif": WIF, "collateral_txid": TXID, "collateral_index": "0",
              "zelid": ZELID, **over}
    for key, value in values.items():
        rig.wizard.form.edits[key].setText(value)


def wait_preflight(r: Rig) -> None:
    r.qtbot.waitUntil(lambda: r.wizard.preflight_result is not None and not r.service.busy,
                      timeout=60_000)


def wait_page(r: Rig, page: str) -> None:
    r.qtbot.waitUntil(lambda: r.wizard.page == page and not r.service.busy, timeout=60_000)


def through_form(r: Rig) -> None:
    """From the preflight page, past a filled-in collateral form, to the idle plan page."""
    r.wizard.next()
    fill(r)
    r.wizard.next()
    wait_page(r, "plan")


def test_wizard_preflight_collateral_plan_run_done(rig, qtbot) -> None:
    r: Rig = rig()
    r.wizard.form.edits["public_ip"].setText("81.2.69.160")
    qtbot.mouseClick(r.page.install_button, Qt.MouseButton.LeftButton)
    wait_preflight(r)
    assert r.wizard.page == "preflight" and r.wizard.preflight_result.report.ok
    assert set(r.wizard.preflight_view.rows) >= {"os", "cpu", "systemd", "ports", "public_ip"}
    r.shot("1-preflight")

    qtbot.mouseClick(r.wizard.next_button, Qt.MouseButton.LeftButton)
    assert r.wizard.page == "collateral"
    fill(r, collateral_txid=TXID + "; rm -rf /")
    qtbot.mouseClick(r.wizard.next_button, Qt.MouseButton.LeftButton)
    assert r.wizard.page == "collateral"
    assert "collateral txid" in r.wizard.form.error.text()
    r.shot("2-collateral-error")
    fill(r, identity_wif=WIF + "\n")  # a pasted trailing newline is harmless
    qtbot.mouseClick(r.wizard.next_button, Qt.MouseButton.LeftButton)
    r.qtbot.waitUntil(lambda: r.wizard.page == "plan", timeout=60_000)
    tree = r.wizard.plan_view.tree
    assert tree.topLevelItemCount() == len(r.wizard.plan["steps"]) >= 19
    conf_step = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                     if "flux.conf" in tree.topLevelItem(i).text(0))
    conf_file = next(conf_step.child(i) for i in range(conf_step.childCount())
                     if conf_step.child(i).text(0).startswith("write"))
    tree.setCurrentItem(conf_file)
    details = r.wizard.plan_view.details.toPlainText()
    assert f"zelnodeoutpoint={TXID}" in details and "<your identity key>" in details
    assert WIF not in details
    assert r.wizard.next_button.text() == "Install" and r.wizard.next_button.isEnabled()
    r.shot("3-plan")

    qtbot.mouseClick(r.wizard.next_button, Qt.MouseButton.LeftButton)
    assert r.wizard.page == "run"
    r.qtbot.waitUntil(lambda: r.wizard.page == "done" or bool(r.wizard.failure.text()),
                      timeout=60_000)
    assert r.wizard.page == "done", r.wizard.failure.text()
    assert r.wizard.run_view.overall.value() == 1000
    assert all(r.wizard.run_view.state_of(s["id"]).endswith("done")
               for s in r.wizard.plan["steps"])
    assert "http://81.2.69.160:16126" in r.wizard.done_text.text()
    r.shot("5-done")
    qtbot.mouseClick(r.wizard.cancel_button, Qt.MouseButton.LeftButton)
    assert "installed" in r.page.state_label.text()


def test_wizard_run_failure_shows_fix_and_retry_completes(rig, qtbot) -> None:
    r: Rig = rig()
    r.host.fail["git"] = 128
    r.wizard.form.edits["public_ip"].setText("81.2.69.160")
    r.page.open_wizard()
    wait_preflight(r)
    through_form(r)
    r.wizard.next()
    r.qtbot.waitUntil(lambda: bool(r.wizard.failure.text()) and not r.service.busy, timeout=60_000)
    text = r.wizard.failure.text()
    assert "fluxos" in text and "What to do" in text and "github.com" in text
    assert r.wizard.run_view.state_of("fluxos").endswith("failed")
    assert r.wizard.next_button.text() == "Retry" and r.wizard.next_button.isEnabled()
    r.shot("4-run-failed")
    del r.host.fail["git"]
    qtbot.mouseClick(r.wizard.next_button, Qt.MouseButton.LeftButton)
    wait_page(r, "done")
    assert r.wizard.run_view.state_of("user").endswith("skipped")


def test_failed_preflight_blocks_install(rig) -> None:
    r: Rig = rig(pid1="process_api")
    r.wizard.form.edits["public_ip"].setText("81.2.69.160")
    r.page.open_wizard()
    wait_preflight(r)
    mark, text = r.wizard.preflight_view.rows["systemd"]
    assert mark.text() == "✘" and "process_api" in text.text() and "What to do" in text.text()
    r.shot("1-preflight-failed")
    through_form(r)
    assert not r.wizard.next_button.isEnabled()
    assert "preflight" in r.wizard.busy.text()
    assert r.host.commands == [], "nothing may run on the host before Install"


def install_through_wizard(r: Rig, mode: str = "install") -> None:
    r.page.open_wizard(mode)
    wait_preflight(r)
    through_form(r)
    r.wizard.next()
    wait_page(r, "done")


def test_repair_prefills_answers_and_uninstall_from_the_page(rig, qtbot) -> None:
    r: Rig = rig()
    r.wizard.form.edits["public_ip"].setText("81.2.69.160")
    install_through_wizard(r)
    r.wizard.cancel_button.click()
    assert r.page.repair_button.isVisibleTo(r.page)
    assert r.page.uninstall_button.isVisibleTo(r.page)
    r.shot("6-overview-installed")

    r.wizard.form.edits["collateral_txid"].clear()
    r.wizard.form.edits["identity_wif"].clear()
    r.page.open_wizard("repair")
    assert r.wizard.form.edits["collateral_txid"].text() == TXID  # from the saved answers
    assert r.wizard.form.edits["identity_wif"].text() == ""  # never stored
    wait_preflight(r)
    through_form(r)
    assert r.wizard.next_button.text() == "Repair"
    r.wizard.next()
    wait_page(r, "done")
    assert r.wizard.run_view.state_of("zelcash-service").endswith("skipped")
    r.wizard.cancel_button.click()

    r.page.ask_uninstall()
    box = next(w for w in r.page.findChildren(QMessageBox) if w.isVisible())
    next(b for b in box.buttons() if b.text() == "Uninstall").click()
    r.qtbot.waitUntil(lambda: not r.service.busy and "Uninstalled" in r.page.action_status.text(),
                      timeout=60_000)
    assert not r.host.path("/etc/systemd/system/zelcash.service").exists()
    assert r.host.path("/home/fluxnode/.flux/blocks").exists()
    assert "No FluxNode" in r.page.state_label.text()
    r.shot("7-overview-uninstalled")
