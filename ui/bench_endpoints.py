"""Where the benchmark measures latency, download and upload: an editor for the Settings page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from nodectl.bench import NetworkEndpoints

MAX_URLS = 20


class BadServerList(ValueError):
    """A list a person typed that cannot be used; the message says which line and why."""


def parse_urls(text: str, what: str) -> tuple[str, ...]:
    """One http(s) address per line; blank lines ignored, duplicates dropped."""
    urls: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        url = line.strip()
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadServerList(
                f"{what}, line {number}: {url[:60]!r} is not a web address; write it as "
                "https://host/path."
            )
        if url not in urls:
            urls.append(url)
    if not urls:
        raise BadServerList(f"{what}: give at least one address, or press Use the defaults.")
    if len(urls) > MAX_URLS:
        raise BadServerList(f"{what}: at most {MAX_URLS} addresses.")
    return tuple(urls)


class EndpointsEditor(QGroupBox):
    """Two lists of addresses; Save checks them and hands them to ``store``."""

    def __init__(
        self,
        current: NetworkEndpoints,
        store: Callable[[NetworkEndpoints], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Benchmark: network test servers"), parent)
        self._store = store
        self.download = QPlainTextEdit()
        self.upload = QPlainTextEdit()
        for edit in (self.download, self.upload):
            edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            # Exactly four lines tall: no half-cut fifth line.
            margin = int(edit.document().documentMargin())
            edit.setFixedHeight(
                edit.fontMetrics().lineSpacing() * 4 + 2 * (margin + edit.frameWidth())
            )
        self.download.setToolTip(self.tr("Latency is measured against these servers too."))
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save servers"))
        self.defaults_button = QPushButton(self.tr("Use the defaults"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.defaults_button)
        buttons.addStretch(1)
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                self.tr("One address per line. The benchmark uses the first that answers; "
                        "changes apply to the next run.")
            )
        )
        form.addRow(self.tr("Latency and download"), self.download)
        form.addRow(self.tr("Upload"), self.upload)
        form.addRow(buttons)
        form.addRow(self.note)
        self.show_endpoints(current)
        self.save_button.clicked.connect(self.save)
        self.defaults_button.clicked.connect(self.use_defaults)

    def show_endpoints(self, endpoints: NetworkEndpoints) -> None:
        self.download.setPlainText("\n".join(endpoints.download_urls))
        self.upload.setPlainText("\n".join(endpoints.upload_urls))

    def _say(self, text: str, bad: bool = False) -> None:
        self.note.setText(text)
        state = "bad" if bad else "ok"
        if self.note.property("state") != state:
            self.note.setProperty("state", state)
            self.note.style().unpolish(self.note)
            self.note.style().polish(self.note)

    def save(self) -> None:
        try:
            endpoints = NetworkEndpoints(
                download_urls=parse_urls(self.download.toPlainText(), self.tr("Download")),
                upload_urls=parse_urls(self.upload.toPlainText(), self.tr("Upload")),
            )
        except BadServerList as exc:
            self._say(str(exc), bad=True)
            return
        self._commit(endpoints, self.tr("Saved. The next benchmark run uses these servers."))

    def use_defaults(self) -> None:
        self._commit(NetworkEndpoints(), self.tr("Back to the default servers."))

    def _commit(self, endpoints: NetworkEndpoints, done: str) -> None:
        try:
            self._store(endpoints)
        except OSError as exc:
            self._say(
                self.tr("Could not save the settings: %1").replace("%1", exc.strerror or str(exc)),
                bad=True,
            )
            return
        self.show_endpoints(endpoints)
        self._say(done)
