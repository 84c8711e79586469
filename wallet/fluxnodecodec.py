"""Wire format of fluxnode transactions (v5 and v6 START / CONFIRM), fluxd primitives/transaction.h.

The header carries no fOverwintered bit and no version group id; there are no vin/vout. The
signatures (``sig``, ``benchmarkSig``) are skipped when hashing for the txid, but the v6 delegate
block that follows ``sig`` is hashed.
"""

from __future__ import annotations

from wallet import txreader as w
from wallet.errors import DecodeError, InvalidTransaction
from wallet.txmodel import (
    DELEGATES_SIGNING,
    DELEGATES_UPDATE,
    FLUXNODE_CONFIRM_TYPE,
    FLUXNODE_START_TYPE,
    FLUXNODE_TX_VERSION,
    DelegateData,
    FluxnodeConfirm,
    FluxnodeStart,
    OutPoint,
)
from wallet.txreader import Reader

FLUX_TX_NORMAL_BIT = 0x01
FLUX_TX_P2SH_BIT = 0x02
FLUX_TX_DELEGATES_BIT = 0x0100
MAX_DELEGATE_KEYS = 4
# fluxd MAX_SCRIPT_SIZE: a longer redeem script is refused by CheckTransaction.
MAX_SCRIPT_SIZE = 10000


def start_kind(flux_tx_version: int) -> str:
    """'normal' or 'p2sh' for a v6 nFluxTxVersion, following fluxd's legacy-or-bit reading."""
    normal = flux_tx_version == 1 or bool(flux_tx_version & FLUX_TX_NORMAL_BIT)
    p2sh = flux_tx_version == 2 or bool(flux_tx_version & FLUX_TX_P2SH_BIT)
    if normal and not flux_tx_version & FLUX_TX_P2SH_BIT:
        return "normal"
    if p2sh:
        return "p2sh"
    raise InvalidTransaction(
        f"nFluxTxVersion {flux_tx_version:#x} is neither a normal nor a P2SH fluxnode START"
    )


def _valid_pubkey(key: bytes) -> bool:
    return (len(key) == 33 and key[0] in (2, 3)) or (len(key) == 65 and key[0] in (4, 6, 7))


def _read_pubkey(r: Reader, what: str) -> bytes:
    key = r.var_bytes()
    if not _valid_pubkey(key):
        raise DecodeError(f"{what} is not a 33- or 65-byte public key")
    return key


def _write_pubkey(key: bytes, what: str) -> bytes:
    if not isinstance(key, bytes) or not _valid_pubkey(key):
        raise InvalidTransaction(f"{what} must be a 33-byte compressed or 65-byte public key")
    return w.var_bytes(key)


# --- parsing ---------------------------------------------------------------------------------


def parse_fluxnode(r: Reader, version: int) -> FluxnodeStart | FluxnodeConfirm:
    n_type = r.i8()
    if n_type == FLUXNODE_CONFIRM_TYPE:
        return _parse_confirm(r)
    if n_type != FLUXNODE_START_TYPE:
        raise DecodeError(f"unknown fluxnode transaction type {n_type}")
    if version == FLUXNODE_TX_VERSION:
        collateral = OutPoint(r.take(32), r.u32())
        collateral_pubkey = _read_pubkey(r, "collateral pubkey")
        identity = _read_pubkey(r, "identity pubkey")
        return FluxnodeStart(
            collateral, identity, sig_time=r.u32(), sig=r.var_bytes(),
            collateral_pubkey=collateral_pubkey,
        )
    flux_tx_version = r.i32()
    try:
        kind = start_kind(flux_tx_version)
    except InvalidTransaction as exc:
        raise DecodeError(str(exc)) from exc
    collateral = OutPoint(r.take(32), r.u32())
    collateral_pubkey = redeem_script = b""
    if kind == "normal":
        collateral_pubkey = _read_pubkey(r, "collateral pubkey")
        identity = _read_pubkey(r, "identity pubkey")
    else:
        identity = _read_pubkey(r, "identity pubkey")
        redeem_script = r.var_bytes()
    sig_time = r.u32()
    sig = r.var_bytes()
    using: bool | None = None
    delegates: DelegateData | None = None
    if flux_tx_version & FLUX_TX_DELEGATES_BIT:
        flag = r.u8()
        if flag > 1:
            raise DecodeError(f"delegate flag byte {flag} is not 0 or 1")
        using = bool(flag)
        if using:
            delegates = _parse_delegates(r)
    return FluxnodeStart(
        collateral, identity, sig_time, sig, collateral_pubkey, redeem_script, flux_tx_version,
        using, delegates,
    )


def _parse_delegates(r: Reader) -> DelegateData:
    version = r.i8()
    kind = r.i8()
    keys: tuple[bytes, ...] = ()
    if version == 1 and kind == DELEGATES_UPDATE:
        n = r.count(34, "delegate key")
        keys = tuple(_read_pubkey(r, "delegate key") for _ in range(n))
    return DelegateData(kind=kind, keys=keys, version=version)


def _parse_confirm(r: Reader) -> FluxnodeConfirm:
    return FluxnodeConfirm(
        collateral=OutPoint(r.take(32), r.u32()),
        sig_time=r.u32(),
        benchmark_tier=r.i8(),
        benchmark_sig_time=r.u32(),
        update_type=r.i8(),
        ip=r.var_bytes(),
        sig=r.var_bytes(),
        benchmark_sig=r.var_bytes(),
    )


# --- serializing -----------------------------------------------------------------------------


def serialize_fluxnode(
    payload: FluxnodeStart | FluxnodeConfirm, version: int, *, for_txid: bool = False
) -> bytes:
    if isinstance(payload, FluxnodeConfirm):
        return _serialize_confirm(payload, for_txid)
    return _serialize_start(payload, version, for_txid)


def _outpoint(op: OutPoint) -> bytes:
    return w.fixed(op.txid, 32, "collateral txid") + w.u32(op.index, "collateral index")


def _serialize_start(s: FluxnodeStart, version: int, for_txid: bool) -> bytes:
    out = [w.i8(FLUXNODE_START_TYPE, "nType")]
    sig = b"" if for_txid else w.var_bytes(s.sig)
    if version == FLUXNODE_TX_VERSION:
        if s.flux_tx_version is not None or s.redeem_script or s.using_delegates is not None:
            raise InvalidTransaction("a v5 START has no nFluxTxVersion, redeem script or delegates")
        out += (
            _outpoint(s.collateral),
            _write_pubkey(s.collateral_pubkey, "collateral pubkey"),
            _write_pubkey(s.identity_pubkey, "identity pubkey"),
            w.u32(s.sig_time, "sigTime"),
            sig,
        )
        return b"".join(out)
    if s.flux_tx_version is None:
        raise InvalidTransaction("a v6 START needs nFluxTxVersion")
    out.append(w.i32(s.flux_tx_version, "nFluxTxVersion"))
    out.append(_outpoint(s.collateral))
    if start_kind(s.flux_tx_version) == "normal":
        if s.redeem_script:
            raise InvalidTransaction("a normal (P2PKH) START carries no redeem script")
        out.append(_write_pubkey(s.collateral_pubkey, "collateral pubkey"))
        out.append(_write_pubkey(s.identity_pubkey, "identity pubkey"))
    else:
        if s.collateral_pubkey:
            raise InvalidTransaction("a P2SH START carries a redeem script, no collateral pubkey")
        if len(s.redeem_script) > MAX_SCRIPT_SIZE:
            raise InvalidTransaction("the redeem script is longer than fluxd accepts")
        out.append(_write_pubkey(s.identity_pubkey, "identity pubkey"))
        out.append(w.var_bytes(s.redeem_script))
    out.append(w.u32(s.sig_time, "sigTime"))
    out.append(sig)
    out.append(_serialize_delegate_block(s))
    return b"".join(out)


def _serialize_delegate_block(s: FluxnodeStart) -> bytes:
    assert s.flux_tx_version is not None
    if not s.flux_tx_version & FLUX_TX_DELEGATES_BIT:
        if s.using_delegates is not None or s.delegates is not None:
            raise InvalidTransaction("delegate data needs the 0x0100 bit in nFluxTxVersion")
        return b""
    if s.using_delegates is None:
        raise InvalidTransaction("the 0x0100 bit in nFluxTxVersion needs the delegate flag")
    if not s.using_delegates:
        if s.delegates is not None:
            raise InvalidTransaction("delegate data is only written when the delegate flag is set")
        return b"\x00"
    if s.delegates is None:
        raise InvalidTransaction("the delegate flag is set but no delegate data is given")
    d = s.delegates
    out = [b"\x01", w.i8(d.version, "delegate version"), w.i8(d.kind, "delegate type")]
    if d.version == 1 and d.kind == DELEGATES_UPDATE:
        out.append(w.compact_size(len(d.keys)))
        out += (_write_pubkey(k, "delegate key") for k in d.keys)
    elif d.keys:
        raise InvalidTransaction("only a version-1 UPDATE carries delegate keys")
    return b"".join(out)


def _serialize_confirm(c: FluxnodeConfirm, for_txid: bool) -> bytes:
    out = [
        w.i8(FLUXNODE_CONFIRM_TYPE, "nType"),
        _outpoint(c.collateral),
        w.u32(c.sig_time, "sigTime"),
        w.i8(c.benchmark_tier, "benchmarkTier"),
        w.u32(c.benchmark_sig_time, "benchmarkSigTime"),
        w.i8(c.update_type, "nUpdateType"),
        w.var_bytes(c.ip),
    ]
    if not for_txid:
        out += (w.var_bytes(c.sig), w.var_bytes(c.benchmark_sig))
    return b"".join(out)


def validate_delegates(d: DelegateData) -> None:
    """fluxd CFluxnodeDelegates::IsValid: UPDATE or SIGNING, at most 4 compressed keys."""
    if d.kind not in (DELEGATES_UPDATE, DELEGATES_SIGNING):
        raise InvalidTransaction(f"delegate type {d.kind} is neither UPDATE (1) nor SIGNING (2)")
    if len(d.keys) > MAX_DELEGATE_KEYS:
        raise InvalidTransaction(f"at most {MAX_DELEGATE_KEYS} delegate keys are allowed")
    for key in d.keys:
        if len(key) != 33 or key[0] not in (2, 3):
            raise InvalidTransaction("delegate keys must be 33-byte compressed public keys")
