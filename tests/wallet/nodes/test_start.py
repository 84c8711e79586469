"""START pre-checks (maturity, state, clock, amount), version choice, verified building and
"start all" planning."""

from __future__ import annotations

from typing import Any

import pytest

from tests.wallet.test_fluxnode import CASES, DELEGATE
from wallet.fluxnode import build_start_tx, verify_start
from wallet.networks import COIN, MAINNET, Tier
from wallet.nodes.errors import StartRefused
from wallet.nodes.lists import PendingNode
from wallet.nodes.start import (
    Collateral,
    PlanInput,
    build_verified_start,
    check_clock,
    maturity,
    plan_start_all,
    precheck,
    start_version,
)
from wallet.nodes.state import NodeState, StartRecord, node_status

TIP = 2_500_000
TIP_TIME = 1_800_000_000
TXID = "cd" * 32


def free(outpoint: tuple[str, int] = (TXID, 0)) -> Any:
    return node_status(outpoint, tip=TIP, confirmed=[], started=[], dos=[], now=TIP_TIME)


def coin(height: int | None = TIP - 99, sats: int = 1_000 * COIN, **kw: Any) -> Collateral:
    return Collateral(TXID, 0, sats, height, **kw)


def check(collateral: Collateral, status: Any = None, local_now: int = TIP_TIME) -> Tier:
    return precheck(collateral, status or free(), tip=TIP, tip_time=TIP_TIME,
                    local_now=local_now, network=MAINNET)


def test_maturity_counts_like_fluxd() -> None:
    assert maturity(TIP - 99, TIP).mature  # 100 confirmations: START fits in block TIP+1
    young = maturity(TIP - 36, TIP)
    assert (young.confirmations, young.blocks_left, young.eta_seconds) == (37, 63, 63 * 30)
    assert maturity(None, TIP).confirmations == 0


def test_precheck_accepts_a_ripe_exact_collateral() -> None:
    assert check(coin()) == Tier.CUMULUS
    assert check(coin(sats=40_000 * COIN)) == Tier.STRATUS


def test_refused_before_maturity_with_an_eta() -> None:
    with pytest.raises(StartRefused, match=r"37/100 confirmations; start possible in 63 blocks "
                                           r"\(about 32 min\)") as info:
        check(coin(height=TIP - 36))
    assert info.value.reason == "maturity" and info.value.eta_seconds == 63 * 30


def test_refused_for_amount_spent_and_clock() -> None:
    with pytest.raises(StartRefused, match="not exactly") as info:
        check(coin(sats=1_000 * COIN + 1))
    assert info.value.reason == "amount"
    with pytest.raises(StartRefused, match="spent"):
        check(coin(spent=True))
    with pytest.raises(StartRefused, match="clock is about 10 min behind") as info:
        check(coin(), local_now=TIP_TIME - 600)
    assert info.value.reason == "clock"
    check_clock(TIP_TIME + 299, TIP_TIME)
    with pytest.raises(StartRefused, match="ahead of"):
        check_clock(TIP_TIME + 301, TIP_TIME)


def test_refused_when_started_dos_or_starting() -> None:
    started = node_status((TXID, 0), tip=TIP, confirmed=[], now=TIP_TIME, dos=[],
                          started=[PendingNode(TXID, 0, TIP - 40, "t1", 200)])
    with pytest.raises(StartRefused, match=r"already started.*Confirms within 200") as info:
        check(coin(), started)
    assert info.value.reason == NodeState.STARTED and info.value.eta_seconds == 6000
    dos = node_status((TXID, 0), tip=TIP, confirmed=[], now=TIP_TIME, started=[],
                      dos=[PendingNode(TXID, 0, TIP - 300, "t1", None)])
    with pytest.raises(StartRefused, match=r"DOS list.*420 blocks"):
        check(coin(), dos)
    starting = node_status((TXID, 0), tip=TIP, confirmed=[], started=[], dos=[], now=TIP_TIME,
                           record=StartRecord("ef" * 32, TIP_TIME - 60, TIP_TIME - 60))
    with pytest.raises(StartRefused, match="still pending"):
        check(coin(), starting)
    # The retry path: a newer START replaces our pending one (not for a node the network lists).
    assert precheck(coin(), starting, tip=TIP, tip_time=TIP_TIME, local_now=TIP_TIME,
                    network=MAINNET, replace_pending=True) == Tier.CUMULUS
    with pytest.raises(StartRefused, match="already started"):
        precheck(coin(), started, tip=TIP, tip_time=TIP_TIME, local_now=TIP_TIME,
                 network=MAINNET, replace_pending=True)


def test_version_choice() -> None:
    assert start_version(p2sh=False, delegates=False) == 5
    assert start_version(p2sh=True, delegates=False) == 6
    assert start_version(p2sh=False, delegates=True) == 6


def _verified_args(args: dict[str, Any]) -> dict[str, Any]:
    kwargs = {k: v for k, v in args.items()
              if k not in ("collateral_txid", "collateral_index", "version")}
    kwargs["collateral"] = Collateral(args["collateral_txid"], args["collateral_index"],
                                      1_000 * COIN, 1)
    return kwargs


@pytest.mark.parametrize(("vector", "args"), CASES, ids=[c[0]["name"][:40] for c in CASES])
def test_verified_start_equals_the_published_vector_or_is_refused(
    vector: dict[str, Any], args: dict[str, Any]
) -> None:
    """Every mode: the version chosen for it and the bytes of the vector; a START that
    verify_start rejects (the official P2SH vectors are not signed by a script key) is never
    handed out."""
    registered = (DELEGATE.public_key(),) if args.get("as_delegate") else ()
    chosen = start_version(p2sh="redeem_script" in args,
                           delegates="delegates" in args or bool(args.get("as_delegate")))
    if vector["name"].startswith("startFluxNodev6 normal"):
        assert chosen == 5  # a plain P2PKH collateral is started with v5, as fluxd does
        return
    assert chosen == args.get("version", 5)
    kwargs = _verified_args(args)
    if verify_start(build_start_tx(**args), registered):
        tx = build_verified_start(**kwargs, registered_delegates=registered)
        assert tx.serialize().hex() == vector["expected_hex"]
    else:
        with pytest.raises(StartRefused, match="Nothing was sent") as info:
            build_verified_start(**kwargs, registered_delegates=registered)
        assert info.value.reason == "signature"


def test_enough_modes_verify() -> None:
    verified = [v["name"] for v, a in CASES
                if verify_start(build_start_tx(**a), (DELEGATE.public_key(),))]
    assert len(verified) >= 6, verified


def test_start_all_skips_busy_nodes_and_reports_each() -> None:
    ids = [f"{i:02x}" * 32 for i in range(5)]
    started = [PendingNode(ids[1], 0, TIP - 10, "t1", 230)]
    dos = [PendingNode(ids[2], 0, TIP - 10, "t1", 710)]
    record = {ids[3]: StartRecord("ee" * 32, TIP_TIME - 5, TIP_TIME - 5)}
    nodes = []
    for n, txid in enumerate(ids):
        status = node_status((txid, 0), tip=TIP, confirmed=[], started=started, dos=dos,
                             record=record.get(txid), now=TIP_TIME)
        height = TIP - 10 if n == 4 else TIP - 200
        nodes.append(PlanInput(f"n{n}", Collateral(txid, 0, 12_500 * COIN, height), status))
    plan = plan_start_all(nodes, tip=TIP, tip_time=TIP_TIME, local_now=TIP_TIME,
                          network=MAINNET)
    assert [p.start for p in plan] == [True, False, False, False, False]
    assert plan[0].reason == "ready"
    assert "already started" in plan[1].reason and plan[1].eta_seconds == 230 * 30
    assert "DOS" in plan[2].reason and "still pending" in plan[3].reason
    assert "11/100 confirmations" in plan[4].reason and plan[4].eta_seconds == 89 * 30
