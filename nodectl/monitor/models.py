"""What the node's parts tell us, as frozen dataclasses read tolerantly from their JSON.

A field the reply lacks or gives in an unexpected type becomes None instead of an exception:
fluxd's help texts and its real replies disagree on several types (specs: ``outidx`` is a string,
heights are ints, ``lastpaid`` may be the int 0), and fluxbench is closed source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nodectl.monitor.errors import BadReply
from nodectl.monitor.http import expect_object


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ChainInfo:
    """fluxd ``getblockchaininfo``: our height and the best header height we have seen."""

    blocks: int
    headers: int | None

    @classmethod
    def from_json(cls, source: str, value: Any) -> ChainInfo:
        doc = expect_object(source, value, "getblockchaininfo")
        blocks = as_int(doc.get("blocks"))
        if blocks is None:
            raise BadReply(f"{source} sent a block height that is not a number.",
                           "Restart fluxd; if it persists, reindex it.")
        return cls(blocks=blocks, headers=as_int(doc.get("headers")))


@dataclass(frozen=True)
class FluxnodeStatus:
    """fluxd ``getfluxnodestatus`` (also FluxOS ``/daemon/getfluxnodestatus``).

    ``status`` is upper-cased: CONFIRMED, STARTED, DOS, EXPIRED (fluxd writes ``expired``
    lower-case when the node is in no tracker) or OFFLINE.
    """

    status: str
    collateral: str | None = None
    txhash: str | None = None
    outidx: str | None = None
    ip: str | None = None
    tier: str | None = None
    added_height: int | None = None
    confirmed_height: int | None = None
    last_confirmed_height: int | None = None
    last_paid_height: int | None = None
    payment_address: str | None = None
    pubkey: str | None = None

    @classmethod
    def from_json(cls, source: str, value: Any) -> FluxnodeStatus:
        doc = expect_object(source, value, "getfluxnodestatus")
        status = as_str(doc.get("status"))
        if not status:
            raise BadReply(f"{source} sent a node status without a state.",
                           "Restart fluxd and check again.")
        outidx = doc.get("outidx")
        return cls(
            status=status.upper(),
            collateral=as_str(doc.get("collateral")),
            txhash=as_str(doc.get("txhash")),
            outidx=str(outidx) if isinstance(outidx, str | int) else None,
            ip=as_str(doc.get("ip")) or None,
            tier=(as_str(doc.get("tier")) or "").upper() or None,
            added_height=as_int(doc.get("added_height")),
            confirmed_height=as_int(doc.get("confirmed_height")),
            last_confirmed_height=as_int(doc.get("last_confirmed_height")),
            last_paid_height=as_int(doc.get("last_paid_height")),
            payment_address=as_str(doc.get("payment_address")),
            pubkey=as_str(doc.get("pubkey")),
        )


@dataclass(frozen=True)
class ListEntry:
    """One entry of ``viewdeterministicfluxnodelist``: the node's place in its tier's queue."""

    txhash: str
    outidx: str
    rank: int | None
    tier: str | None
    last_paid_height: int | None
    ip: str | None

    @classmethod
    def pick(cls, value: Any, txid: str, outidx: str) -> ListEntry | None:
        """The entry of ``txid``/``outidx`` in a list reply (the filter is a substring match)."""
        if not isinstance(value, list):
            raise BadReply("The node list reply is not a list.",
                           "Check again in a minute; fluxd refuses the list while it syncs.")
        for item in value:
            if not isinstance(item, dict):
                continue
            if item.get("txhash") == txid and str(item.get("outidx")) == str(outidx):
                return cls(
                    txhash=txid,
                    outidx=str(outidx),
                    rank=as_int(item.get("rank")),
                    tier=(as_str(item.get("tier")) or "").upper() or None,
                    last_paid_height=as_int(item.get("last_paid_height")),
                    ip=as_str(item.get("ip")),
                )
        return None


@dataclass(frozen=True)
class BenchStatus:
    """fluxbench ``getstatus``: ``status`` online, ``benchmarking`` a tier / running / failed /
    toaster, ``flux`` connected / disconnected (older fluxbench: ``zelback``)."""

    status: str | None
    benchmarking: str | None
    flux: str | None

    @classmethod
    def from_json(cls, source: str, value: Any) -> BenchStatus:
        doc = expect_object(source, value, "getstatus")
        return cls(
            status=as_str(doc.get("status")),
            benchmarking=as_str(doc.get("benchmarking")),
            flux=as_str(doc.get("flux")) or as_str(doc.get("zelback")),
        )


@dataclass(frozen=True)
class BenchFigures:
    """The parts of fluxbench ``getbenchmarks`` the monitor judges (field names vary by version)."""

    status: str | None
    eps: float | None
    eps_singlethread: float | None
    dws: float | None
    ip: str | None
    time: int | None
    error: str | None

    @classmethod
    def from_json(cls, source: str, value: Any) -> BenchFigures:
        doc = expect_object(source, value, "getbenchmarks")
        dws = as_float(doc.get("diskwritespeed"))
        if dws is None:
            dws = as_float(doc.get("ddwrite"))
        return cls(
            status=as_str(doc.get("status")),
            eps=as_float(doc.get("eps")),
            eps_singlethread=as_float(doc.get("eps_singlethread")),
            dws=dws,
            ip=as_str(doc.get("ipaddress")),
            time=as_int(doc.get("time")),
            error=as_str(doc.get("error")) or None,
        )


@dataclass(frozen=True)
class ClockDrift:
    """FluxOS ``/flux/clockdrift``: which time service measured it and the offset in seconds."""

    source: str | None
    offset_s: float | None

    @classmethod
    def from_json(cls, source: str, value: Any) -> ClockDrift:
        doc = expect_object(source, value, "/flux/clockdrift")
        return cls(source=as_str(doc.get("source")), offset_s=as_float(doc.get("offset")))


@dataclass(frozen=True)
class DosState:
    """FluxOS ``/flux/dosstate``: its own DOS score and the reason it gives."""

    score: int | None
    message: str | None

    @classmethod
    def from_json(cls, source: str, value: Any) -> DosState:
        doc = expect_object(source, value, "/flux/dosstate")
        return cls(score=as_int(doc.get("dosState")), message=as_str(doc.get("dosMessage")))
