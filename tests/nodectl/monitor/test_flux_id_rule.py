"""The Flux ID rule: a node owned by another Flux ID is a finding, the same one is not, and when
either side is unknown the doctor says it did not compare (never a silent pass)."""

from __future__ import annotations

from nodectl.monitor.dashboard import Level, flux_id_view
from nodectl.monitor.doctor import diagnose, unchecked
from nodectl.monitor.snapshot import NodeContext, Snapshot

OWNER = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
OTHER = "1111111111111111111114oLvT2"


def rules(snap: Snapshot, ctx: NodeContext) -> set[str]:
    return {f.rule for f in diagnose(snap, ctx)}


def test_another_flux_id_is_a_finding_and_the_same_is_not() -> None:
    snap = Snapshot(taken_at=0.0, owner_flux_id=OWNER)
    mismatch = [f for f in diagnose(snap, NodeContext(wallet_flux_id=OTHER))
                if f.rule == "flux_id_mismatch"]
    assert len(mismatch) == 1 and OWNER in mismatch[0].cause and OTHER in mismatch[0].cause
    assert unchecked(snap, NodeContext(wallet_flux_id=OTHER)) == []
    same = NodeContext(wallet_flux_id=OWNER)
    assert "flux_id_mismatch" not in rules(snap, same) and unchecked(snap, same) == []
    assert flux_id_view(snap, same)[0] is Level.OK


def test_no_wallet_flux_id_is_not_checked_with_the_reason_given() -> None:
    snap = Snapshot(taken_at=0.0, owner_flux_id=OWNER)
    plain = NodeContext()
    assert "flux_id_mismatch" not in rules(snap, plain)
    [item] = unchecked(snap, plain)
    assert item.rule == "flux_id_mismatch" and OWNER in item.why
    assert "no wallet is open" in item.why and item.next_step
    told = NodeContext(wallet_flux_id_unknown=("the wallet is locked.", "Unlock it."))
    [item] = unchecked(snap, told)
    assert item.why.endswith("the wallet is locked.") and item.next_step == "Unlock it."
    level, words = flux_id_view(snap, told)
    assert level is Level.UNKNOWN and "the wallet is locked." in words


def test_unknown_owner_is_not_checked_either() -> None:
    snap = Snapshot(taken_at=0.0)
    [item] = unchecked(snap, NodeContext(wallet_flux_id=OWNER))
    assert "owner Flux ID is unknown" in item.why
