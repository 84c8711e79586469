"""Chain model: rewards, bulk history, block timer, demo wallet, state file, real tx bytes."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import stat
from pathlib import Path

import aiohttp
import pytest

from flux.money import COIN
from flux.tiers import Tier
from tests.sim import testkit as kit
from tests.sim.__main__ import state, write_state
from tests.sim.demo import DEMO_COINS, demo_address, fund_demo
from tests.sim.server import SimNetwork
from wallet.encoding import sha256d
from wallet.tx import Transaction


def test_coinbase_pays_subsidy_plus_fees_and_node_payees() -> None:
    sim = SimNetwork()
    alice = kit.address(kit.key("alice"))
    coin = sim.fund(alice, COIN, confirmations=0)
    fee = sim.chain.txs[coin.txid].fee
    sim.mine(1, to_address=alice)
    coinbase = sim.chain.txs[sim.chain.tip.txids[0]]
    assert coinbase.coinbase and coin.txid in sim.chain.tip.txids
    assert [o.value for o in coinbase.tx.outputs] == [14 * COIN + fee]
    stratus = bytes.fromhex("76a914" + "11" * 20 + "88ac")
    sim.chain.node_payees = lambda height: {Tier.STRATUS: stratus}
    sim.mine(1, to_address=alice)
    outputs = sim.chain.txs[sim.chain.tip.txids[0]].tx.outputs
    assert [(o.value, o.script_pubkey == stratus) for o in outputs] == [
        (5 * COIN, False), (9 * COIN, True)
    ]


def test_every_transaction_is_real_bytes_hashing_to_its_txid() -> None:
    sim = SimNetwork()
    sim.fund(kit.address(kit.key("alice")), COIN)
    for block in sim.chain.blocks[-3:]:
        assert sha256d(block.header)[::-1].hex() == block.hash
        for txid in block.txids:
            raw = sim.chain.txs[txid].raw
            assert Transaction.parse(raw).txid == txid == sha256d(raw)[::-1].hex()


@pytest.mark.slow
@pytest.mark.asyncio
async def test_ten_thousand_transactions_for_fifty_addresses(sim: SimNetwork) -> None:
    addresses = [kit.address(kit.key(f"bulk{i}")) for i in range(50)]
    funded = sim.fund_many([(addresses[i % 50], 10_000 + i) for i in range(10_000)])
    assert len({f.txid for f in funded}) == 10_000
    assert sim.chain.balance(addresses)[0] == sum(10_000 + i for i in range(10_000))
    assert len(sim.chain.address_txids(addresses)) == 10_000
    async with aiohttp.ClientSession() as session:
        url = f"{sim.insight_url}/addrs/{','.join(addresses)}/txs"
        async with session.get(url, params={"from": "9990", "to": "10000"}) as response:
            page = await response.json()
    assert page["totalItems"] == 10_000 and len(page["items"]) == 10
    assert page["items"][-1]["txid"] == min(
        (f.txid for f in funded[:100]),  # oldest block; insight sorts a height by txid, desc
    )


@pytest.mark.asyncio
async def test_block_timer_mines(sim: SimNetwork) -> None:
    start = sim.height
    sim.start_mining_timer(0.05)
    await asyncio.sleep(0.3)
    sim.stop_mining_timer()
    assert sim.height > start


def test_demo_wallet_funds_and_state_file(tmp_path: Path) -> None:
    sim = SimNetwork()
    fund_demo(sim)
    for coin in DEMO_COINS:
        address = demo_address(coin.chain, coin.index)
        utxos = sim.chain.index.utxos[address]
        assert any(c.value == coin.satoshis and c.coinbase == coin.coinbase for c in utxos.values())
        for c in utxos.values():
            assert sim.chain.confirmations(c.height) >= (100 if c.coinbase else 1)
    path = tmp_path / "run" / "sim.json"
    write_state(path, state(sim))
    data = json.loads(path.read_text())
    assert data["network"] == "regtest" and data["rpc_password"] == sim.rpc_password
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert data["derivation"] == "m/44'/1'/0'"


@pytest.mark.asyncio
async def test_fluxnode_hook_admits_start_transactions(sim: SimNetwork) -> None:
    from tests.paths import VECTORS_DIR
    from tests.sim.reject import SimReject, invalid

    vectors = json.loads((VECTORS_DIR / "fluxnode-start.json").read_text())
    start = next(v for v in vectors["official_vectors"] if v["name"].startswith("startFluxNode v5"))
    seen: list[str] = []

    def refuse(tx: Transaction) -> None:
        seen.append(tx.txid)
        raise invalid(16, "bad-txns-fluxnode-tx-invalid-signature")

    sim.chain.fluxnode_check = refuse
    with pytest.raises(SimReject, match="16: bad-txns-fluxnode-tx-invalid-signature"):
        sim.submit(start["expected_hex"])
    sim.chain.fluxnode_check = lambda tx: None
    txid = sim.submit(start["expected_hex"])
    assert seen == [txid]
    sim.mine(1)
    assert txid in sim.chain.tip.txids
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sim.insight_url}/tx/{txid}") as response:
            shown = await response.json()
        payload = {"id": 1, "method": "getrawtransaction", "params": [txid, 1]}
        token = base64.b64encode(f"{sim.rpc_user}:{sim.rpc_password}".encode()).decode()
        headers = {"Authorization": f"Basic {token}"}
        async with session.post(sim.rpc_url, json=payload, headers=headers) as response:
            verbose = (await response.json())["result"]
    assert shown["type"] == "Starting a fluxnode" and "vin" not in shown
    assert shown["collateralOutputIndex"] == 0 and shown["confirmations"] == 1
    assert verbose["type"] == "Starting a fluxnode" and verbose["hex"] == start["expected_hex"]
