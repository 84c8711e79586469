"""The scripted state one simulated node serves; tests change it between polls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TXID = "ab" * 32
OUTIDX = "0"
OWNER_ID = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"

# A fault a server applies to every request until cleared.
OK, TIMEOUT, MALFORMED, UNAUTHORIZED = "ok", "timeout", "malformed", "401"


@dataclass
class NodeScript:
    height: int = 2_100_000
    headers: int = 2_100_000
    status: str = "CONFIRMED"  # CONFIRMED / STARTED / DOS / expired
    tier: str = "CUMULUS"
    added_height: int = 2_000_000
    confirmed_height: int = 2_000_010
    last_confirmed_height: int = 2_099_900
    last_paid_height: int = 2_099_000
    rank: int = 41
    ip: str = "51.15.20.7"  # looks public; never contacted
    # FluxOS
    fluxos_up: bool = True
    fluxos_version: str = "8.17.0"
    clock_offset_s: float | None = 0.01
    clock_source: str = "chrony"
    dos_score: int = 0
    dos_message: str | None = None
    owner_id: str = OWNER_ID
    old_fluxos: bool = False  # before /flux/id existed: only /flux/zelid
    login_refusal: tuple[str, str] | None = None  # (name, message) FluxOS gives instead of a phrase
    # fluxbench
    bench_version: str = "6.3.1"
    benchmarking: str = "CUMULUS"
    bench_flux: str = "connected"
    eps: float = 1200.0
    eps_singlethread: float = 300.0
    dws: float = 450.0
    bench_error: str = ""
    # faults per server: fluxd / fluxos / fluxbench
    faults: dict[str, str] = field(default_factory=lambda: {"fluxd": OK, "fluxos": OK,
                                                           "fluxbench": OK})
    delay_s: float = 5.0  # how long a TIMEOUT fault makes a request wait
    admin_calls: list[str] = field(default_factory=list)  # FluxOS admin actions done, in order

    # ---- scenarios -------------------------------------------------------------------------
    def synced(self) -> NodeScript:
        self.height = self.headers
        return self

    def syncing(self, behind: int = 5_000) -> NodeScript:
        self.height = self.headers - behind
        return self

    def started(self) -> NodeScript:
        self.status, self.added_height = "STARTED", self.height - 10
        self.confirmed_height = self.last_confirmed_height = self.last_paid_height = 0
        return self

    def dos(self) -> NodeScript:
        self.status, self.added_height = "DOS", self.height - 300
        self.confirmed_height = self.last_confirmed_height = self.last_paid_height = 0
        return self

    def expired(self) -> NodeScript:
        self.status = "expired"
        return self

    def confirmed(self) -> NodeScript:
        self.status = "CONFIRMED"
        self.last_confirmed_height = self.height - 100
        return self

    def bench_failed(self, reason: str) -> NodeScript:
        self.benchmarking, self.bench_error = "failed", reason
        return self

    # ---- FluxOS admin actions (after a Flux ID login) -----------------------------------------
    def restart_daemon(self) -> str:
        self.admin_calls.append("restartdaemon")
        return "Daemon successfully restarted"

    def restart_benchmark(self) -> str:
        """The rerun passes when the hardware does: this script's tier."""
        self.admin_calls.append("restartnodebenchmarks")
        self.benchmarking, self.bench_error = self.tier, ""
        return "Restarting Benchmarks"

    # ---- replies ---------------------------------------------------------------------------
    def fluxnode_status(self) -> dict[str, Any]:
        collateral = f"COutPoint({TXID}, {OUTIDX})"
        if self.status == "expired":
            return {"status": "expired", "collateral": collateral}
        return {
            "status": self.status, "collateral": collateral, "txhash": TXID, "outidx": OUTIDX,
            "ip": self.ip if self.status == "CONFIRMED" else "", "network": "ipv4",
            "added_height": self.added_height, "confirmed_height": self.confirmed_height,
            "last_confirmed_height": self.last_confirmed_height,
            "last_paid_height": self.last_paid_height, "tier": self.tier,
            "payment_address": "t1Kxyz", "pubkey": "04" + "11" * 64,
            "activesince": "1700000000", "lastpaid": "1700001000", "amount": "1000.00",
        }

    def list_entries(self) -> list[dict[str, Any]]:
        if self.status != "CONFIRMED":
            return []
        entry = {k: v for k, v in self.fluxnode_status().items() if k != "status"}
        other = dict(entry, txhash=TXID, outidx="1", rank=3)  # same txid, other output
        return [other, dict(entry, rank=self.rank)]

    def chain_info(self) -> dict[str, Any]:
        return {"chain": "main", "blocks": self.height, "headers": self.headers,
                "bestblockhash": "00" * 32, "verificationprogress": 1.0}

    def bench_status(self) -> dict[str, Any]:
        return {"status": "online", "benchmarking": self.benchmarking, "flux": self.bench_flux}

    def benchmarks(self) -> dict[str, Any]:
        return {"status": self.benchmarking, "time": 1_700_000_000, "ipaddress": self.ip,
                "eps": self.eps, "eps_singlethread": self.eps_singlethread,
                "ddwrite": self.dws, "cores": 8, "ram": 31, "ssd": 500, "error": self.bench_error}
