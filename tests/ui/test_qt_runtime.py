"""Guards against known-bad Qt binding releases."""

import subprocess
import sys

SCRIPT = """
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Emitter(QObject):
    fired = Signal(int)
emitter = Emitter()
seen = []
emitter.fired.connect(seen.append)
for i in range(5000):
    emitter.fired.emit(i)
print(len(seen))
"""


def test_many_signal_emits_do_not_corrupt_the_interpreter():
    # PySide6 6.12.0 drops a reference to True on every emit and aborts after a few hundred.
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "5000"
