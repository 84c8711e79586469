"""Insight API client (docs/protocol-wallet.md) with several servers, retry and failover.

Failure handling per request:
* connection refused / timeout / HTTP 5xx or 429 -> try the next server; after a pass over all
  servers wait (exponential backoff) and pass again, `RetryPolicy.rounds` times;
* a reply that is not what the API promises (bad JSON, wrong types, impossible values) -> try the
  next server, but do not retry the same one;
* a definite answer (e.g. a broadcast rejected with HTTP 400) -> raised at once, no failover.
The server that answered last is asked first next time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import quote, urlsplit

from flux.http import RetryPolicy, SessionOwner, Sleep, Transient, default_sleep, fetch
from wallet.backends import parsing as p
from wallet.backends.base import AddressBalance, BlockSummary, HistoryItem, HistoryPage, Utxo
from wallet.backends.broadcast_errors import (
    ALREADY_KNOWN,
    explain_broadcast_error,
    split_insight_error,
)
from wallet.backends.insight_servers import (
    DEFAULT_INSIGHT_SERVERS,
    normalize_server_url,
    servers_for,
)
from wallet.backends.insight_tx import raw_from_insight
from wallet.errors import (
    BackendError,
    BackendResponseError,
    BackendUnavailable,
    BroadcastRejected,
)
from wallet.txcodec import MAX_TX_BYTES

# The server list and URL checks live in insight_servers.py; they are part of this interface.
__all__ = [
    "DEFAULT_INSIGHT_SERVERS", "InsightBackend", "normalize_server_url", "servers_for",
]

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

# Addresses per /addrs/{a,b,...}/utxo request: keeps URLs well under common 8 KiB limits.
DEFAULT_BATCH_SIZE: Final = 20
# Insight's page size for /addrs/txs is capped server-side (bitcore-node default 50).
MAX_HISTORY_PAGE: Final = 50
_CONCURRENCY: Final = 4
# A 2 MB block holds at most ~33 000 of the smallest (60-byte) transactions.
MAX_BLOCK_TXS: Final = 40_000

T = TypeVar("T")
Handler = Callable[[int, str], T]


class InsightBackend:
    def __init__(
        self,
        servers: Sequence[str],
        *,
        session: aiohttp.ClientSession | None = None,
        retry: RetryPolicy | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        sleep: Sleep = default_sleep,
    ) -> None:
        if not servers:
            raise BackendError("No Insight server is configured. Add one in Settings → Servers.")
        self._servers = [normalize_server_url(s) for s in servers]
        self._preferred = 0
        self._http = SessionOwner(session)
        self._retry = retry or RetryPolicy()
        self._batch = max(1, batch_size)
        self._sleep = sleep
        self.requests_made = 0

    @property
    def name(self) -> str:
        return f"Insight {urlsplit(self._servers[self._preferred]).netloc}"

    @property
    def servers(self) -> list[str]:
        return list(self._servers)

    @property
    def preferred_server(self) -> str:
        """The server that answered last (asked first next time)."""
        return self._servers[self._preferred]

    @property
    def retry(self) -> RetryPolicy:
        return self._retry

    async def session(self) -> aiohttp.ClientSession:
        return await self._http.session()

    async def close(self) -> None:
        await self._http.close()

    async def __aenter__(self) -> InsightBackend:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # --- API -----------------------------------------------------------------------------

    async def tip_height(self) -> int:
        def handle(status: int, body: str) -> int:
            info = p.obj(p.obj(_ok_json(status, body), "status").get("info"), "status.info")
            return p.integer(info, "blocks", 0, p.MAX_HEIGHT, "info.blocks")

        return await self._request("GET", "/status", handle, params={"q": "getInfo"})

    async def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        chunks = _chunks(_unique(addresses), self._batch)
        results = await self._gather([self._utxo_chunk(chunk) for chunk in chunks])
        seen: dict[tuple[str, int], Utxo] = {}
        for chunk in results:
            for utxo in chunk:
                seen.setdefault(utxo.outpoint, utxo)
        return list(seen.values())

    async def _utxo_chunk(self, addresses: list[str]) -> list[Utxo]:
        wanted = set(addresses)

        def handle(status: int, body: str) -> list[Utxo]:
            items = p.arr(_ok_json(status, body), "utxo list")
            return [_utxo(p.obj(item, "utxo"), wanted) for item in items]

        path = f"/addrs/{_path_list(addresses)}/utxo"
        return await self._request("GET", path, handle)

    async def balances(self, addresses: Sequence[str]) -> dict[str, AddressBalance]:
        unique = _unique(addresses)
        found = await self._gather([self._balance(a) for a in unique])
        return {b.address: b for b in found}

    async def _balance(self, address: str) -> AddressBalance:
        def handle(status: int, body: str) -> AddressBalance:
            data = p.obj(_ok_json(status, body), "address summary")
            if data.get("addrStr") not in (None, address):
                raise p.BadReply(f"asked for {address}, got {data.get('addrStr')!r:.40}")
            return AddressBalance(
                address=address,
                confirmed=p.satoshis(data, "balanceSat"),
                unconfirmed=p.satoshis(data, "unconfirmedBalanceSat", signed=True),
                received=p.satoshis(data, "totalReceivedSat"),
            )

        path = f"/addr/{quote(address, safe='')}"
        return await self._request("GET", path, handle, params={"noTxList": "1"})

    async def history(
        self, addresses: Sequence[str], *, start: int = 0, limit: int = MAX_HISTORY_PAGE
    ) -> HistoryPage:
        unique = _unique(addresses)
        if not unique:
            return HistoryPage([], 0, start)
        end = start + max(1, min(limit, MAX_HISTORY_PAGE))

        def handle(status: int, body: str) -> HistoryPage:
            data = p.obj(_ok_json(status, body), "history")
            total = p.integer(data, "totalItems", 0, 10**9)
            items = [_history_item(p.obj(i, "tx")) for i in p.arr(data.get("items"), "items")]
            if len(items) > end - start:
                raise p.BadReply(f"asked for {end - start} transactions, got {len(items)}")
            return HistoryPage(items, total, start)

        if len(unique) <= self._batch:
            return await self._request(
                "GET",
                f"/addrs/{_path_list(unique)}/txs",
                handle,
                params={"from": str(start), "to": str(end)},
            )
        body = {"addrs": ",".join(unique), "from": start, "to": end}
        return await self._request("POST", "/addrs/txs", handle, json_body=body)

    async def raw_transaction(self, txid: str) -> str:
        txid = _require_txid(txid)

        def handle(status: int, body: str) -> str:
            data = p.obj(_ok_json(status, body), "raw transaction")
            raw = data.get("rawtx")
            if isinstance(raw, str) and len(raw) > 2 * MAX_TX_BYTES:
                raise p.BadReply(f"rawtx is larger than fluxd allows ({MAX_TX_BYTES:,} bytes)")
            if not isinstance(raw, str) or not raw or not p.is_hex(raw):
                raise p.BadReply("rawtx is not hex")
            return raw.lower()

        return await self._request("GET", f"/rawtx/{txid}", handle)

    async def block_hash(self, height: int) -> str:
        """Hash of the main-chain block at `height` (insight-api /block-index/:height)."""

        def handle(status: int, body: str) -> str:
            data = p.obj(_ok_json(status, body), "block index")
            return p.txid(data.get("blockHash"), "blockHash")

        return await self._request("GET", f"/block-index/{int(height)}", handle)

    async def block(self, block_hash: str) -> BlockSummary:
        """Height, merkle root and txids of a block (insight-api /block/:hash)."""
        block_hash = _require_txid(block_hash)

        def handle(status: int, body: str) -> BlockSummary:
            data = p.obj(_ok_json(status, body), "block")
            if p.txid(data.get("hash"), "block hash") != block_hash:
                raise p.BadReply(f"asked for block {block_hash[:16]}…, got another")
            txids = [p.txid(t) for t in p.arr(data.get("tx"), "block tx list")]
            if not txids or len(txids) > MAX_BLOCK_TXS:
                raise p.BadReply(f"a block of {len(txids)} transactions")
            return BlockSummary(
                block_hash,
                p.integer(data, "height", 0, p.MAX_HEIGHT),
                p.txid(data.get("merkleroot"), "merkleroot"),
                txids,
                data.get("isMainChain", True) is True,
            )

        return await self._request("GET", f"/block/{block_hash}", handle)

    async def broadcast(self, raw_hex: str) -> str:
        if not raw_hex or not p.is_hex(raw_hex):
            raise BackendError("The transaction to broadcast is not hex; nothing was sent.")

        def handle(status: int, body: str) -> str:
            if status == 400:
                message, code = split_insight_error(body)
                raise explain_broadcast_error(message, code)
            return p.txid(p.obj(_ok_json(status, body), "broadcast reply").get("txid"))

        # Re-sending the same signed bytes to another server is harmless (same txid).
        failures: dict[str, str] = {}
        try:
            return await self._request(
                "POST", "/tx/send", handle, json_body={"rawtx": raw_hex}, failures=failures
            )
        except BroadcastRejected as exc:
            if not failures or exc.kind in ALREADY_KNOWN:
                raise
            # A server that timed out may have relayed the transaction before this one refused
            # it, so the refusal does not prove that nothing was sent.
            raise BroadcastRejected(
                str(exc), kind=exc.kind, code=exc.code, detail=exc.detail, maybe_sent=True
            ) from None

    async def fee_estimate(self, blocks: int = 2) -> int | None:
        def handle(status: int, body: str) -> int | None:
            data = p.obj(_ok_json(status, body), "fee estimate")
            value = data.get(str(blocks))
            if value in (-1, -1.0):
                return None
            per_kb = p.flux_amount(data, str(blocks))
            return per_kb

        return await self._request(
            "GET", "/utils/estimatefee", handle, params={"nbBlocks": str(blocks)}
        )

    # --- plumbing ------------------------------------------------------------------------

    async def _gather(self, jobs: Sequence[Awaitable[T]]) -> list[T]:
        gate = asyncio.Semaphore(_CONCURRENCY)

        async def run(job: Awaitable[T]) -> T:
            async with gate:
                return await job

        return list(await asyncio.gather(*(run(j) for j in jobs)))

    def _order(self) -> list[int]:
        n = len(self._servers)
        return [(self._preferred + i) % n for i in range(n)]

    async def _request(
        self,
        method: str,
        path: str,
        handle: Handler[T],
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        failures: dict[str, str] | None = None,
    ) -> T:
        """Ask each server in turn; `failures` (given or new) collects the ones that failed."""
        session = await self._http.session()
        failures = {} if failures is None else failures
        bad_data: set[int] = set()
        for round_index in range(self._retry.rounds):
            if round_index:
                await self._sleep(self._retry.delay(round_index - 1))
            transient_seen = False
            for index in self._order():
                if index in bad_data:
                    continue
                server = self._servers[index]
                self.requests_made += 1
                try:
                    status, body = await fetch(
                        session,
                        method,
                        server + path,
                        timeout=self._retry.timeout(),
                        params=params,
                        json_body=json_body,
                    )
                    result = handle(status, body)
                except Transient as exc:
                    transient_seen = True
                    failures[server] = str(exc)
                    log.info("Insight %s %s: %s", _host(server), path.split("/")[1], exc)
                    continue
                except p.BadReply as exc:
                    bad_data.add(index)
                    failures[server] = str(exc)
                    log.warning("Insight %s gave a bad reply: %s", _host(server), exc)
                    continue
                self._preferred = index
                return result
            if not transient_seen:
                break
        raise _final_error(failures, bad_data, len(self._servers))


def _final_error(failures: dict[str, str], bad_data: set[int], servers: int) -> BackendError:
    detail = "; ".join(f"{_host(s)}: {reason}" for s, reason in failures.items())
    if len(bad_data) == servers:
        return BackendResponseError(
            f"The Insight server{'s' if servers > 1 else ''} answered with data that cannot be "
            f"right ({detail}). Nothing was signed or sent. Try again later or choose another "
            "server in Settings → Servers."
        )
    return BackendUnavailable(
        f"No Insight server could be reached ({detail}). Check your internet connection, or "
        "add another server in Settings → Servers."
    )


def _ok_json(status: int, body: str) -> Any:
    if status != 200:
        raise p.BadReply(f"HTTP {status}: {' '.join(body.split())[:80]}")
    return p.parse_json(body)


def _utxo(item: dict[str, Any], wanted: set[str]) -> Utxo:
    address = p.text(item, "address")
    if address not in wanted:
        raise p.BadReply(f"a UTXO for {address!r:.40}, which was not asked for")
    confirmations = p.integer(item, "confirmations", 0, p.MAX_HEIGHT)
    height = p.opt_integer(item, "height", 0, p.MAX_HEIGHT)
    coinbase = item.get("coinbase", False)
    if not isinstance(coinbase, bool):
        raise p.BadReply("coinbase should be true or false")
    return Utxo(
        txid=p.txid(item.get("txid")),
        vout=p.integer(item, "vout", 0, 1_000_000),
        address=address,
        satoshis=p.satoshis(item, "satoshis"),
        script_pubkey=p.hex_bytes(item.get("scriptPubKey"), "scriptPubKey"),
        height=height if confirmations > 0 and height else None,
        confirmations=confirmations,
        coinbase=coinbase,
    )


# A block header's time is a 32-bit unsigned number.
_MAX_BLOCK_TIME = 2**32 - 1


def _history_item(tx: dict[str, Any]) -> HistoryItem:
    height = p.opt_integer(tx, "blockheight", -1, p.MAX_HEIGHT)
    confirmations = p.opt_integer(tx, "confirmations", 0, p.MAX_HEIGHT) or 0
    confirmed = confirmations > 0 and height is not None and height > 0
    block_time = p.opt_integer(tx, "blocktime", 0, _MAX_BLOCK_TIME) if confirmed else None
    return HistoryItem(
        p.txid(tx.get("txid")),
        height if confirmed else None,
        confirmed,
        block_time or None,
        raw=raw_from_insight(tx),
    )


def _require_txid(txid: str) -> str:
    if not p.is_txid(txid):
        raise BackendError(f"{txid!r:.70} is not a transaction id.")
    return txid.lower()


def _unique(addresses: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(addresses))


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _path_list(addresses: Sequence[str]) -> str:
    return ",".join(quote(a, safe="") for a in addresses)


def _host(server: str) -> str:
    return urlsplit(server).netloc or server
