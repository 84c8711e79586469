"""The baseline of the start-up benchmark: a bare PySide6 main window, probed like the app.

Run: python -m bench.bare_window --startup-probe SECONDS
"""

from __future__ import annotations

import argparse
import sys

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from ui.startup_probe import StartupProbe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--startup-probe", type=float, required=True, metavar="SECONDS")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("FluxDesk"))
    window.resize(960, 640)
    StartupProbe(window, args.startup_probe, app.quit)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
