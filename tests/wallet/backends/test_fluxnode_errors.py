"""Every fluxd reject string of a fluxnode START has its own kind and is never a success.

The strings are fluxd's (src/main.cpp CheckTransaction / ContextualCheckTransaction /
AcceptToMemoryPool, src/coins.cpp CheckFluxnodeTxInput), in the "<code>: <reason>" form of
sendrawtransaction's RPC -26 answer.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from wallet.backends.broadcast_errors import (
    ALREADY_KNOWN,
    explain_broadcast_error,
    split_insight_error,
)
from wallet.backends.fluxnode_errors import FLUXNODE_KINDS, FluxnodeRejectKind
from wallet.errors import BroadcastRejected
from wallet.send import broadcast

K = FluxnodeRejectKind
INPUTS = "16: bad-txns-fluxnode-inputs-invalid-spent-or-bad-value-"
REJECTS = [
    ("16: fluxnode-tx-already-in-chain-or-waiting-for-dos-unban", K.STARTED_OR_DOS),
    ("16: fluxnode-tx-already-in-confirm-chain", K.CONFIRMED),
    ("18: fluxnode-tx-sig-to-old", K.SIG_TOO_OLD),
    ("18: fluxnode-tx-outpoint-sigTime-older-cant-replace", K.OLDER_THAN_PENDING),
    ("16: bad-txns-fluxnode-tx-invalid-signature", K.INVALID_SIGNATURE),
    (INPUTS + "Minimum height requirement not met", K.IMMATURE),
    (INPUTS + "Couldn't get coin tier from amount", K.WRONG_AMOUNT),
    (INPUTS + "Coin Tier Not Valid", K.WRONG_AMOUNT),
    (INPUTS + "Coins not available", K.COLLATERAL_SPENT),
    ("16: fluxnode-tx-coins-not-available", K.COLLATERAL_SPENT),
    ("16: fluxnode-tx-coins-not-found", K.COLLATERAL_NOT_FOUND),
    ("16: bad-txns-fluxnode-tx-inputs-missingorspent-Coins not available", K.COLLATERAL_SPENT),
    ("16: fluxnode-tx-destinations-didn't-match", K.KEY_MISMATCH),
    ("16: fluxnode-tx-p2shnodes-destinations-didn't-match", K.KEY_MISMATCH),
    ("16: fluxnode-tx-p2sh-publickeys-didn't-match", K.KEY_MISMATCH),
    ("16: fluxnode-tx-failed-to-extract-destination", K.KEY_MISMATCH),
    ("16: fluxnode-tx-normal-version-not-p2pkh-script", K.SCRIPT_MISMATCH),
    ("16: fluxnode-tx-p2sh-version-not-p2sh-script", K.SCRIPT_MISMATCH),
    ("16: bad-txns-fluxnode-tx-delegate-data-invalid", K.DELEGATES_INVALID),
    ("16: bad-txns-fluxnode-tx-redeemscript-not-multisig", K.REDEEM_SCRIPT_INVALID),
    ("16: bad-txns-fluxnode-tx-redeemscript-to-large", K.REDEEM_SCRIPT_INVALID),
    ("16: tx-fluxnodes-not-active", K.NOT_ACTIVE),
    ("16: tx-bit-features-not-active", K.NOT_ACTIVE),
    ("16: tx-delegates-not-active", K.NOT_ACTIVE),
    (INPUTS + "Using P2SH nodes before it is active", K.NOT_ACTIVE),
    (INPUTS + "Old Style P2SH Nodes is no longer available. Please use new transaction "
     "version 6 style.", K.NOT_ACTIVE),
    ("16: bad-txns-fluxnode-tx-not-empty", K.MALFORMED),
    ("16: bad-txns-fluxnode-tx-invalid-type", K.MALFORMED),
    ("16: bad-txns-fluxnode-tx-null-prevout", K.MALFORMED),
    ("16: bad-fluxnode-tx-multiple", K.MALFORMED),
    (INPUTS + "Not a Fluxnode Tx", K.INPUTS_INVALID),
]


@pytest.mark.parametrize(("detail", "kind"), REJECTS, ids=[d for d, _ in REJECTS])
@pytest.mark.parametrize("code", [-26, -27, None])
def test_fluxnode_reject_has_its_own_kind_and_is_no_success(
    detail: str, kind: FluxnodeRejectKind, code: int | None
) -> None:
    error = explain_broadcast_error(detail, code)
    assert error.kind == kind
    assert error.kind not in ALREADY_KNOWN
    message = str(error)
    assert "not started" in message and "already in the block chain" not in message
    # Through Insight's relay ("<message>. Code:<code>") the kind is the same.
    relayed, relayed_code = split_insight_error(f"{detail}. Code:-26")
    assert explain_broadcast_error(relayed, relayed_code).kind == kind


def test_every_kind_is_reachable() -> None:
    # RECENTLY_SEEN has no text to match: wallet/nodes/broadcast.py names it (tested there).
    assert {kind for _, kind in REJECTS} | {K.RECENTLY_SEEN} == FLUXNODE_KINDS


class _Refusing:
    name = "test node"

    def __init__(self, detail: str) -> None:
        self.detail = detail

    async def broadcast(self, raw_hex: str) -> str:
        raise explain_broadcast_error(self.detail, -26)


@pytest.mark.asyncio
@pytest.mark.parametrize(("detail", "kind"), REJECTS[:2])
async def test_send_broadcast_does_not_report_a_refused_start_as_sent(
    detail: str, kind: FluxnodeRejectKind
) -> None:
    # The bug of issue 12: the DOS/started reject read as "already in the chain" = sent.
    signed: Any = SimpleNamespace(raw_hex="00", txid="ab" * 32, review=None)
    with pytest.raises(BroadcastRejected) as info:
        await broadcast(signed, _Refusing(detail))  # type: ignore[arg-type]
    assert info.value.kind == kind
