"""The simulator's fluxnodes: fluxd's START rules with its exact reject strings, the node life
cycle (STARTED → CONFIRMED → expired, DOS and release) and the payout of each tier's front node."""

from __future__ import annotations

import pytest

from tests.sim import testkit
from tests.sim.fluxnode_kit import CUMULUS, NIMBUS, collateral, start_tx, submit, with_nodes
from tests.sim.reject import SimReject
from tests.sim.server import SimNetwork
from wallet.fluxnode import create_identity_key
from wallet.keys import PrivateKey
from wallet.networks import COIN, Tier
from wallet.txmodel import Transaction

OWNER = testkit.key("node-owner")
STRANGER = testkit.key("stranger")
PREFIX = "bad-txns-fluxnode-inputs-invalid-spent-or-bad-value-"


def refused(sim: SimNetwork, tx: Transaction, message: str, code: int = -26) -> None:
    with pytest.raises(SimReject) as info:
        sim.submit(tx.serialize().hex())
    assert (info.value.code, info.value.message) == (code, message)


@pytest.fixture
def net() -> SimNetwork:
    sim = SimNetwork()
    with_nodes(sim)
    return sim


def test_start_is_accepted_mined_and_listed(net: SimNetwork) -> None:
    coin = collateral(net, OWNER)
    tx = start_tx(net, coin, OWNER)
    assert submit(net, tx) == tx.txid and net.chain.in_mempool(tx.txid)
    assert submit(net, tx) == tx.txid  # the same bytes again: the node already has them
    net.mine()
    model = with_nodes(net)
    node = model.started[(coin.txid, coin.vout)]
    assert node.added_height == net.height and node.tier == Tier.CUMULUS
    # Once mined, fluxd drops the same START silently (mapSeenFluxnodeTx): -25 with no text.
    refused(net, tx, "", code=-25)


def test_maturity_is_100_confirmations(net: SimNetwork) -> None:
    coin = collateral(net, OWNER, confirmations=99)
    refused(net, start_tx(net, coin, OWNER),
            "16: " + PREFIX + "Minimum height requirement not met")
    net.mine()
    submit(net, start_tx(net, coin, OWNER))


def test_amount_must_be_an_exact_tier(net: SimNetwork) -> None:
    coin = collateral(net, OWNER, sats=CUMULUS - 1)
    refused(net, start_tx(net, coin, OWNER), "16: " + PREFIX + "Couldn't get coin tier from amount")


def test_signature_and_destination(net: SimNetwork) -> None:
    coin = collateral(net, OWNER)
    forged = start_tx(net, coin, STRANGER, collateral_pubkey=OWNER.public_key())
    refused(net, forged, "16: bad-txns-fluxnode-tx-invalid-signature")
    refused(net, start_tx(net, coin, STRANGER), "16: fluxnode-tx-destinations-didn't-match")
    # The compression trap: same secret, uncompressed pubkey = another address.
    uncompressed = PrivateKey(OWNER.secret, compressed=False)
    refused(net, start_tx(net, coin, uncompressed), "16: fluxnode-tx-destinations-didn't-match")


def test_collateral_must_exist_unspent_and_confirmed(net: SimNetwork) -> None:
    ghost = collateral(net, OWNER)
    ghost = type(ghost)("11" * 32, 0, ghost.address, ghost.satoshis)
    refused(net, start_tx(net, ghost, OWNER), "16: fluxnode-tx-coins-not-found")
    pending = collateral(net, OWNER, confirmations=0)
    refused(net, start_tx(net, pending, OWNER), "16: fluxnode-tx-coins-not-found")
    coin = collateral(net, OWNER)
    net.submit(testkit.raw_spend(net, coin, OWNER, [(testkit.address(STRANGER), CUMULUS - 1000)]))
    net.mine()
    refused(net, start_tx(net, coin, OWNER), "16: fluxnode-tx-coins-not-available")


def test_sig_time_and_replacement(net: SimNetwork) -> None:
    coin = collateral(net, OWNER)
    now = net.chain.now()
    refused(net, start_tx(net, coin, OWNER, sig_time=now - 3601), "18: fluxnode-tx-sig-to-old")
    identity = create_identity_key().public_key()
    first = start_tx(net, coin, OWNER, identity=identity, sig_time=now - 10)
    submit(net, first)
    refused(net, start_tx(net, coin, OWNER, identity=identity, sig_time=now - 20),
            "18: fluxnode-tx-outpoint-sigTime-older-cant-replace")
    newer = start_tx(net, coin, OWNER, identity=identity, sig_time=now - 5)
    submit(net, newer)  # the retry path: a newer sigTime replaces the pending START
    assert not net.chain.in_mempool(first.txid) and net.chain.in_mempool(newer.txid)


def test_script_kinds(net: SimNetwork) -> None:
    ms = testkit.multisig(2, ["ms-a", "ms-b", "ms-c"])
    p2sh_coin = net.fund(ms.address, CUMULUS, confirmations=100)
    signer = ms.keys[1]
    refused(net, start_tx(net, p2sh_coin, signer), "16: fluxnode-tx-p2sh-publickeys-didn't-match")
    refused(net, start_tx(net, p2sh_coin, signer, version=6),
            "16: fluxnode-tx-normal-version-not-p2pkh-script")
    other = testkit.multisig(1, ["ms-a", "ms-d"])
    refused(net, start_tx(net, p2sh_coin, ms.keys[0], version=6,
                          redeem_script=other.redeem_script),
            "16: fluxnode-tx-p2shnodes-destinations-didn't-match")
    refused(net, start_tx(net, p2sh_coin, STRANGER, version=6, redeem_script=ms.redeem_script),
            "16: bad-txns-fluxnode-tx-invalid-signature")
    p2pkh_coin = collateral(net, OWNER)
    refused(net, start_tx(net, p2pkh_coin, signer, version=6, redeem_script=ms.redeem_script),
            "16: fluxnode-tx-p2sh-version-not-p2sh-script")
    submit(net, start_tx(net, p2sh_coin, signer, version=6, redeem_script=ms.redeem_script))
    net.mine()
    assert (p2sh_coin.txid, p2sh_coin.vout) in with_nodes(net).started


def test_started_confirmed_paid_and_refused_again(net: SimNetwork) -> None:
    model = with_nodes(net)
    identity = create_identity_key()
    coin = collateral(net, OWNER)
    submit(net, start_tx(net, coin, OWNER, identity=identity.public_key()))
    net.mine()
    key = (coin.txid, coin.vout)
    refused(net, start_tx(net, coin, OWNER),
            "16: fluxnode-tx-already-in-chain-or-waiting-for-dos-unban")
    model.run_node(identity.public_key(), "198.51.100.7")
    net.mine()
    assert key in model.confirmed and key not in model.started
    refused(net, start_tx(net, coin, OWNER), "16: fluxnode-tx-already-in-confirm-chain")
    net.mine()
    height, paid_key, sats = model.payouts[-1]
    assert (height, paid_key, sats) == (net.height, key, 1 * COIN)
    coinbase = net.chain.txs[net.chain.tip.txids[0]].tx
    assert any(o.value == COIN and o.script_pubkey == model.confirmed[key].script
               for o in coinbase.outputs)


def test_front_node_of_each_tier_is_paid_in_turn(net: SimNetwork) -> None:
    model = with_nodes(net)
    owners = [testkit.key(f"rot-{i}") for i in range(3)]
    coins = [collateral(net, owners[0]), collateral(net, owners[1]),
             collateral(net, owners[2], sats=NIMBUS)]
    for owner, coin in zip(owners, coins, strict=True):
        identity = create_identity_key().public_key()
        model.run_node(identity)
        submit(net, start_tx(net, coin, owner, identity=identity))
    net.mine(2)  # START block, then the confirmations
    model.payouts.clear()
    net.mine(4)
    cumulus = [k for _, k, s in model.payouts if s == COIN]
    nimbus = [s for _, k, s in model.payouts if k == (coins[2].txid, coins[2].vout)]
    assert len(cumulus) == 4 and cumulus[0] != cumulus[1] and cumulus[0] == cumulus[2]
    assert nimbus == [35 * COIN // 10] * 4


def test_dos_after_240_blocks_and_restart_after_720(net: SimNetwork) -> None:
    model = with_nodes(net)
    coin = collateral(net, OWNER)
    key = (coin.txid, coin.vout)
    submit(net, start_tx(net, coin, OWNER))
    net.mine()
    added = net.height
    net.mine(239)
    assert key in model.started  # block added + 239: still inside the 240-block window
    net.mine()
    assert key in model.dos and net.height == added + 240
    refused(net, start_tx(net, coin, OWNER),
            "16: fluxnode-tx-already-in-chain-or-waiting-for-dos-unban")
    net.mine(added + 719 - net.height)
    assert key in model.dos
    net.mine()
    assert key not in model.dos and net.height == added + 720
    submit(net, start_tx(net, coin, OWNER))


def test_confirmed_node_expires_when_not_reconfirmed(net: SimNetwork) -> None:
    model = with_nodes(net)
    identity = create_identity_key().public_key()
    coin = collateral(net, OWNER)
    key = (coin.txid, coin.vout)
    model.run_node(identity)
    submit(net, start_tx(net, coin, OWNER, identity=identity))
    net.mine(2)
    confirmed_at = model.confirmed[key].last_confirmed
    net.mine(confirmed_at + 501 - net.height)
    assert model.confirmed[key].last_confirmed == confirmed_at + 501  # re-confirmed in time
    last = net.height
    model.stop_node(identity)
    net.mine(last + 640 - net.height)
    assert key in model.confirmed
    net.mine()
    assert key not in model.confirmed and net.height == last + 641
    submit(net, start_tx(net, coin, OWNER))  # expired: may start again at once


def test_spent_collateral_ends_the_node(net: SimNetwork) -> None:
    model = with_nodes(net)
    identity = create_identity_key().public_key()
    coin = collateral(net, OWNER)
    model.run_node(identity)
    submit(net, start_tx(net, coin, OWNER, identity=identity))
    net.mine(2)
    net.submit(testkit.raw_spend(net, coin, OWNER, [(testkit.address(STRANGER), CUMULUS - 1000)]))
    net.mine()
    assert (coin.txid, coin.vout) not in model.confirmed


def test_delegates_registered_by_the_owner_may_start_later(net: SimNetwork) -> None:
    model = with_nodes(net)
    delegate = testkit.key("delegate")
    coin = collateral(net, OWNER)
    as_delegate = {"version": 6, "as_delegate": True, "collateral_pubkey": OWNER.public_key()}
    refused(net, start_tx(net, coin, delegate, **as_delegate),
            "16: bad-txns-fluxnode-tx-invalid-signature")  # not registered yet
    submit(net, start_tx(net, coin, OWNER, version=6, delegates=[delegate.public_key()]))
    net.mine()
    key = (coin.txid, coin.vout)
    assert model.delegates[key] == (delegate.public_key(),)
    net.mine(720)  # never confirmed: DOS, then released
    assert key not in model.dos and key not in model.started
    submit(net, start_tx(net, coin, delegate, **as_delegate))
    net.mine()
    assert key in model.started
