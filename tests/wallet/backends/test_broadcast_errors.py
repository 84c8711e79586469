import pytest

from wallet.backends.broadcast_errors import (
    BroadcastKind,
    explain_broadcast_error,
    split_insight_error,
)

CASES = [
    ("16: tx-expiring-soon", -26, BroadcastKind.EXPIRING_SOON),
    (
        "tx-expiring-soon: expiryheight is 1500002 but should be at least 1500004 to avoid transaction expiring soon",
        -26,
        BroadcastKind.EXPIRING_SOON,
    ),
    ("16: tx-sapling-expired", -26, BroadcastKind.EXPIRED),
    ("64: dust", -26, BroadcastKind.DUST),
    (
        "AcceptToMemoryPool: absurdly high fees 1d..., 2000000 > 1000000",
        -25,
        BroadcastKind.ABSURD_FEE,
    ),
    ("66: insufficient fee", -26, BroadcastKind.LOW_FEE),
    ("66: rate limited free transaction", -26, BroadcastKind.LOW_FEE),
    ("18: bad-txns-inputs-spent", -26, BroadcastKind.INPUTS_SPENT),
    ("16: bad-txns-inputs-missingorspent", -26, BroadcastKind.INPUTS_SPENT),
    ("Missing inputs", -25, BroadcastKind.MISSING_INPUTS),
    ("", -25, BroadcastKind.CONFLICT),
    ("transaction already in block chain", -27, BroadcastKind.ALREADY_IN_CHAIN),
    ("18: txn-already-in-mempool", -26, BroadcastKind.ALREADY_IN_MEMPOOL),
    ("txn-already-known", -26, BroadcastKind.ALREADY_IN_MEMPOOL),
    (
        "16: mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)",
        -26,
        BroadcastKind.BAD_SIGNATURE,
    ),
    (
        "64: non-mandatory-script-verify-flag (Non-canonical DER signature)",
        -26,
        BroadcastKind.BAD_SIGNATURE,
    ),
    ("16: tx-overwinter-not-active", -26, BroadcastKind.BAD_FORMAT),
    ("16: bad-tx-version-group-id", -26, BroadcastKind.BAD_FORMAT),
    ("16: bad-txns-premature-spend-of-coinbase", -26, BroadcastKind.IMMATURE_COINBASE),
    ("16: bad-txns-in-belowout", -26, BroadcastKind.BAD_AMOUNTS),
    ("TX decode failed", -22, BroadcastKind.DECODE_FAILED),
    ("64: scriptsig-size", -26, BroadcastKind.NON_STANDARD),
    ("64: multi-op-return", -26, BroadcastKind.NON_STANDARD),
    ("something new", -26, BroadcastKind.UNKNOWN),
]


@pytest.mark.parametrize(("detail", "code", "kind"), CASES)
def test_mapping(detail: str, code: int, kind: BroadcastKind) -> None:
    error = explain_broadcast_error(detail, code)
    assert error.kind == kind
    assert error.code == code and error.detail == detail
    message = str(error)
    assert len(message) > 40
    if kind not in (BroadcastKind.ALREADY_IN_CHAIN, BroadcastKind.ALREADY_IN_MEMPOOL):
        assert "Nothing was sent" in message or "free again" in message


def test_unknown_reason_is_quoted_and_truncated() -> None:
    message = str(explain_broadcast_error("64: weird-" + "x" * 500, -26))
    assert "weird-" in message and len(message) < 400


def test_split_insight_error() -> None:
    assert split_insight_error("64: dust. Code:-26") == ("64: dust", -26)
    assert split_insight_error(". Code:-25") == ("", -25)
    assert split_insight_error("Internal error") == ("Internal error", None)
    message, code = split_insight_error("Missing inputs. Code:-25")
    assert explain_broadcast_error(message, code).kind == BroadcastKind.MISSING_INPUTS
