"""A process that saves in a loop is SIGKILLed at random moments; the file must always open."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.paths import REPO_ROOT
from wallet.storage import fileio
from wallet.storage.crypto import KdfParams
from wallet.storage.store import WalletStore

from .conftest import PASSWORD, hd_document

KILLS = 100
SAVED_LINE = re.compile(r"saved (\d+)\n")

CHILD = """
import sys
from pathlib import Path
from wallet.storage.store import WalletStore

wallet = WalletStore(Path(sys.argv[1]), auto_lock_seconds=0).open(sys.argv[2])
generation = int(wallet.document.name.split("-")[1])
print("ready", generation, flush=True)
while True:
    generation += 1
    wallet.document.name = f"gen-{generation}"
    wallet.document.labels = {f"t1addr{i}": "x" * (generation % 97) for i in range(50)}
    wallet.save()
    print("saved", generation, flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_file_survives_kill_9_during_saves(tmp_path: Path) -> None:
    path = tmp_path / "wallet.fluxwallet"
    doc = hd_document()
    doc.name = "gen-0"
    WalletStore(path, kdf=KdfParams.argon2id(1, 1, 8)).create(doc, PASSWORD)
    rng = random.Random(20261124)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    generation = 0
    advanced = 0
    for _ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), PASSWORD],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO_ROOT,
        )
        assert child.stdout is not None
        first = child.stdout.readline().split()
        assert first[:1] == ["ready"], child.stderr.read() if child.stderr else ""
        assert int(first[1]) >= generation
        # Let the child finish a random number of saves first, so progress does not depend on
        # how busy the machine is, then kill it at a random moment inside a later save.
        seen = [child.stdout.readline() for _ in range(rng.randint(0, 2))]
        time.sleep(rng.uniform(0.0, 0.01))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        # Only whole lines count: the kill can cut "saved 12\n" down to "saved" or "saved 1".
        acknowledged = [
            int(match.group(1))
            for line in [*seen, *out.splitlines(keepends=True)]
            if (match := SAVED_LINE.fullmatch(line))
        ]
        last_ack = acknowledged[-1] if acknowledged else int(first[1])

        wallet = WalletStore(path, auto_lock_seconds=0).open(PASSWORD)
        assert not wallet.restored_from_backup
        on_disk = int(wallet.document.name.split("-")[1])
        # Old content (the last save that returned) or new content (the save that was cut off).
        assert on_disk in (last_ack, last_ack + 1)
        if on_disk > 0:
            assert wallet.document.labels["t1addr0"] == "x" * (on_disk % 97)
        backup = fileio.backup_path(path)
        if backup.exists():
            WalletStore(backup, auto_lock_seconds=0).open(PASSWORD)
        advanced += on_disk > generation
        generation = on_disk
    assert advanced > KILLS // 2, "the child should usually get some saves done before the kill"
    # A killed save may leave its temp file; the next save removes it, so they never pile up.
    assert len(list(tmp_path.glob(".*.tmp"))) <= 2
