"""The state file: atomic, 0600, round trip, damaged files kept aside."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from nodesetup.model import Failure, SetupState, StepId
from nodesetup.store import SetupStore


def test_round_trip_and_mode(tmp_path: Path) -> None:
    store = SetupStore.in_data_dir(tmp_path / "data")
    state = SetupState(step=StepId.START, tier="NIMBUS", collateral_txid="ab" * 32,
                       collateral_index=3, warnings=["w"],
                       failure=Failure("m", ["a"], StepId.START))
    store.save(state)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    loaded = store.load()
    assert loaded == state and loaded.outpoint == ("ab" * 32, 3)
    assert not list(store.path.parent.glob(".node-setup.json.*"))  # no temp file left


def test_missing_file_is_a_fresh_start(tmp_path: Path) -> None:
    assert SetupStore(tmp_path / "none.json").load() == SetupState()


def test_a_damaged_file_is_kept_aside_and_the_flow_starts_over(tmp_path: Path) -> None:
    store = SetupStore(tmp_path / "node-setup.json")
    for bad in ("{not json", json.dumps({"version": 99}),
                json.dumps({**SetupState().to_json(), "tier": "CIRRUS"}),
                json.dumps({**SetupState().to_json(), "step": "teleport"})):
        store.path.write_text(bad)
        assert store.load() == SetupState()
        assert not store.path.exists()
    assert len(list(tmp_path.glob("node-setup.json.damaged-*"))) == 4
