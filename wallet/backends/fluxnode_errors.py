"""fluxd's rejections of fluxnode START transactions, each with a plain message and a next step.

Matched before the generic rules of broadcast_errors.py: "fluxnode-tx-already-in-chain-or-waiting-
for-dos-unban" must not read as "already in the block chain", and
"bad-txns-fluxnode-tx-invalid-signature" is not a coin-amount problem. None of these kinds is a
success. Strings and their order come from fluxd src/main.cpp (CheckTransaction,
ContextualCheckTransaction, AcceptToMemoryPool) and src/coins.cpp (CheckFluxnodeTxInput); see
docs/staking.md.
"""

from __future__ import annotations

from enum import StrEnum


class FluxnodeRejectKind(StrEnum):
    STARTED_OR_DOS = "fluxnode-started-or-dos"
    CONFIRMED = "fluxnode-confirmed"
    SIG_TOO_OLD = "fluxnode-sig-too-old"
    OLDER_THAN_PENDING = "fluxnode-older-than-pending"
    INVALID_SIGNATURE = "fluxnode-invalid-signature"
    IMMATURE = "fluxnode-immature"
    WRONG_AMOUNT = "fluxnode-wrong-amount"
    COLLATERAL_SPENT = "fluxnode-collateral-spent"
    COLLATERAL_NOT_FOUND = "fluxnode-collateral-not-found"
    KEY_MISMATCH = "fluxnode-key-mismatch"
    SCRIPT_MISMATCH = "fluxnode-script-mismatch"
    DELEGATES_INVALID = "fluxnode-delegates-invalid"
    REDEEM_SCRIPT_INVALID = "fluxnode-redeem-script-invalid"
    NOT_ACTIVE = "fluxnode-not-active"
    MALFORMED = "fluxnode-malformed"
    INPUTS_INVALID = "fluxnode-inputs-invalid"
    # fluxd drops a START it has seen in the last 30 minutes without a reason (RPC -25, empty
    # text): the caller knows it sent a START, so it gives this kind (see wallet/nodes).
    RECENTLY_SEEN = "fluxnode-recently-seen"


RECENTLY_SEEN_MESSAGE = (
    "The network has already seen this exact START (it was mined, or it is still being "
    "relayed), so it was not accepted again. Refresh the node list: if it was mined the node "
    "shows as started. To start again later, sign a new START."
)


_NOT_STARTED = "The node was not started."

# (pattern searched in the lower-cased reason, kind, message). First match wins, so the specific
# "inputs invalid" reasons come before the general one.
FLUXNODE_RULES: tuple[tuple[str, FluxnodeRejectKind, str], ...] = (
    (
        r"fluxnode-tx-already-in-chain-or-waiting-for-dos-unban",
        FluxnodeRejectKind.STARTED_OR_DOS,
        "The network already has a START for this collateral: the node is started and waiting "
        "to confirm, or it is in the DOS list after a start that never confirmed. "
        f"{_NOT_STARTED} Refresh the node list: a started node confirms within 240 blocks "
        "(about 2 h) if it is synced and its benchmark passes; a node in the DOS list can "
        "start again 720 blocks (about 6 h) after its START block.",
    ),
    (
        r"fluxnode-tx-already-in-confirm-chain",
        FluxnodeRejectKind.CONFIRMED,
        "This node is already confirmed in the network's node list; a new START is refused "
        f"while it stays confirmed. {_NOT_STARTED} Nothing needs to be done; if the node "
        "machine is gone, it expires by itself about 641 blocks (about 5.3 h) after its last "
        "confirmation and can then be started again.",
    ),
    (
        r"fluxnode-tx-sig-to-old",
        FluxnodeRejectKind.SIG_TOO_OLD,
        "The START's signature time is more than an hour behind the network's clock. "
        f"{_NOT_STARTED} Check this computer's date, time and time zone (turn on automatic "
        "time), then build and sign the START again.",
    ),
    (
        r"fluxnode-tx-outpoint-sigtime-older-cant-replace",
        FluxnodeRejectKind.OLDER_THAN_PENDING,
        "A START for this collateral with a newer signature time is already waiting in the "
        f"network's memory pool. {_NOT_STARTED} Wait a few blocks for it to appear in the "
        "start list; to replace it, sign a new START now (a newer time replaces the pending one).",
    ),
    (
        r"fluxnode-tx-invalid-signature",
        FluxnodeRejectKind.INVALID_SIGNATURE,
        "The START's signature is not by a key allowed to start this collateral (the "
        "collateral's key, a key of its multisig script, or a registered delegate). "
        f"{_NOT_STARTED} Check that the wallet holding the collateral signs it; if it "
        "repeats, please report a bug.",
    ),
    (
        r"minimum height requirement not met",
        FluxnodeRejectKind.IMMATURE,
        "The collateral has fewer than 100 confirmations. "
        f"{_NOT_STARTED} Wait until it has 100 (about 50 minutes after it was mined) and start "
        "again.",
    ),
    (
        r"couldn't get coin tier from amount|coin tier not valid",
        FluxnodeRejectKind.WRONG_AMOUNT,
        "The collateral is not exactly 1 000, 12 500 or 40 000 FLUX. "
        f"{_NOT_STARTED} Send the exact tier amount to yourself in one output, wait for 100 "
        "confirmations and start with that coin.",
    ),
    (
        r"fluxnode-tx-coins-not-available|fluxnode.*coins not available",
        FluxnodeRejectKind.COLLATERAL_SPENT,
        "The collateral coin has been spent (or is being spent), so it can no longer back a "
        f"node. {_NOT_STARTED} Refresh the wallet; prepare a new collateral of the exact tier "
        "amount if you still want to run this node.",
    ),
    (
        r"fluxnode-tx-coins-not-found|fluxnode-tx-inputs-missingorspent",
        FluxnodeRejectKind.COLLATERAL_NOT_FOUND,
        "The server does not know the collateral coin: it is spent, still unconfirmed, or the "
        f"server is behind. {_NOT_STARTED} Refresh the wallet; if the coin is confirmed, try "
        "another server.",
    ),
    (
        r"fluxnode-tx-destinations-didn't-match|fluxnode-tx-p2shnodes-destinations-didn't-match"
        r"|fluxnode-tx-p2sh-publickeys-didn't-match|fluxnode-tx-failed-to-extract-destination",
        FluxnodeRejectKind.KEY_MISMATCH,
        "The collateral's address does not belong to the key (or multisig script) named in the "
        f"START, often a compressed/uncompressed key mix-up. {_NOT_STARTED} Check the node's "
        "collateral coin and the key the wallet uses for it, then build the START again.",
    ),
    (
        r"fluxnode-tx-normal-version-not-p2pkh-script|fluxnode-tx-p2sh-version-not-p2sh-script",
        FluxnodeRejectKind.SCRIPT_MISMATCH,
        "The START's kind does not match the collateral address: a t1 collateral needs a "
        f"normal START, a t3 (multisig) collateral a P2SH START. {_NOT_STARTED} Check the "
        "node's redeem script setting and start again.",
    ),
    (
        r"fluxnode-tx-delegate-data-invalid",
        FluxnodeRejectKind.DELEGATES_INVALID,
        "The START's delegate list is invalid (at most 4 compressed public keys). "
        f"{_NOT_STARTED} Check the delegate keys and start again.",
    ),
    (
        r"fluxnode-tx-redeemscript-not-multisig|fluxnode-tx-redeemscript-to-large",
        FluxnodeRejectKind.REDEEM_SCRIPT_INVALID,
        "The START's redeem script is not a standard multisig script. "
        f"{_NOT_STARTED} Check the node's redeem script (the one behind its t3 address).",
    ),
    (
        r"tx-fluxnodes-not-active|tx-bit-features-not-active|tx-delegates-not-active"
        r"|using p2sh (?:collateral key|nodes) before it is active|old style p2sh nodes",
        FluxnodeRejectKind.NOT_ACTIVE,
        "The network does not accept this kind of START (yet, or any more). "
        f"{_NOT_STARTED} Check that FluxDesk and the server are on the same network, and "
        "update FluxDesk.",
    ),
    (
        r"fluxnode-tx-not-empty|fluxnode-tx-invalid-type|fluxnode-tx-null-prevout"
        r"|fluxnode-tx-malicious|bad-fluxnode-tx-multiple",
        FluxnodeRejectKind.MALFORMED,
        f"The network could not accept the START's format. {_NOT_STARTED} This is a FluxDesk "
        "bug; please report it.",
    ),
    (
        r"fluxnode-inputs-invalid-spent-or-bad-value",
        FluxnodeRejectKind.INPUTS_INVALID,
        "The network refused the collateral coin (spent, immature or not an exact tier amount). "
        f"{_NOT_STARTED} Refresh the wallet, check the coin's confirmations and amount, and "
        "start again.",
    ),
)

FLUXNODE_KINDS = frozenset(FluxnodeRejectKind)
