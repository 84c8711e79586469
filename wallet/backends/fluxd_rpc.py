"""A local fluxd as chain backend: JSON-RPC over HTTP using the address index.

The address RPCs (getaddressutxos, getaddressbalance, getaddresstxids, getaddressmempool) exist
only when fluxd runs with `experimentalfeatures=1` and `insightexplorer=1` (fluxd rpc/misc.cpp);
credentials come from the node's flux.conf (see fluxconf.py).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

import aiohttp

from flux.http import (
    RetryPolicy,
    SessionOwner,
    Transient,
    basic_auth_header,
    fetch,
)
from wallet.backends import parsing as p
from wallet.backends.base import AddressBalance, BackendStatus, HistoryItem, HistoryPage, Utxo
from wallet.backends.broadcast_errors import explain_broadcast_error
from wallet.backends.fluxconf import RpcConfig
from wallet.errors import (
    BackendAuthError,
    BackendError,
    BackendResponseError,
    BackendUnavailable,
)

log = logging.getLogger(__name__)

RPC_IN_WARMUP: Final = -28
RPC_IN_INITIAL_DOWNLOAD: Final = -10
RPC_METHOD_NOT_FOUND: Final = -32601
RPC_INVALID_ADDRESS_OR_KEY: Final = -5
RPC_MISC_ERROR: Final = -1
_BROADCAST_CODES: Final = (-22, -25, -26, -27)
_INDEX_HINT: Final = (
    "add experimentalfeatures=1, insightexplorer=1 and addressindex=1 to flux.conf, then restart "
    "fluxd once with -reindex"
)


class RpcError(BackendError):
    """fluxd answered a call with a JSON-RPC error (code and message kept for mapping)."""

    def __init__(self, message: str, *, code: int, rpc_message: str) -> None:
        super().__init__(message)
        self.code = code
        self.rpc_message = rpc_message


class FluxdRpcBackend:
    def __init__(
        self,
        config: RpcConfig,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._config = config
        self._http = SessionOwner(session)
        self._timeout = RetryPolicy(total_timeout=timeout, connect_timeout=min(5.0, timeout))
        self._ids = itertools.count(1)
        self.requests_made = 0

    @property
    def name(self) -> str:
        return f"local fluxd {self._config.host}:{self._config.port}"

    async def close(self) -> None:
        await self._http.close()

    async def __aenter__(self) -> FluxdRpcBackend:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # --- ChainBackend --------------------------------------------------------------------

    async def tip_height(self) -> int:
        return _as_int(await self.call("getblockcount"), "getblockcount")

    async def status(self) -> BackendStatus:
        """Tip and sync state from getblockchaininfo (used to decide whether to use this node)."""
        reply = await self.call("getblockchaininfo")
        with self._reply("getblockchaininfo"):
            info = p.obj(reply, "reply")
            blocks = p.integer(info, "blocks", 0, p.MAX_HEIGHT)
            headers = p.integer(info, "headers", 0, p.MAX_HEIGHT)
        progress = info.get("verificationprogress")
        synced = headers > 0 and blocks >= headers - 1
        detail = f"block {blocks} of {headers}"
        if isinstance(progress, int | float) and not isinstance(progress, bool):
            detail += f" ({progress:.1%} verified)"
        return BackendStatus(self.name, blocks, synced, detail)

    async def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        unique = list(dict.fromkeys(addresses))
        if not unique:
            return []
        # chainInfo makes fluxd return the tip height read together with the UTXO set, so the
        # confirmation counts cannot race a new block.
        reply = await self.call("getaddressutxos", {"addresses": unique, "chainInfo": True})
        mempool_reply = await self.call("getaddressmempool", {"addresses": unique})
        wanted = set(unique)
        with self._reply("getaddressutxos"):
            data = p.obj(reply, "reply")
            tip = p.integer(data, "height", 0, p.MAX_HEIGHT, "height")
            found = [
                _confirmed_utxo(p.obj(u, "utxo"), tip, wanted)
                for u in p.arr(data.get("utxos"), "utxos")
            ]
        with self._reply("getaddressmempool"):
            mempool = [_delta(d) for d in p.arr(mempool_reply, "reply")]
            spent = {
                (p.txid(d.get("prevtxid")), p.integer(d, "prevout", 0, 1_000_000))
                for d in mempool
                if p.satoshis(d, "satoshis", signed=True) < 0
            }
            found += [
                _mempool_utxo(d, wanted)
                for d in mempool
                if p.satoshis(d, "satoshis", signed=True) > 0
            ]
        # Insight's /utxo semantics: outputs spent by mempool transactions are gone already.
        return [u for u in found if u.outpoint not in spent]

    async def balances(self, addresses: Sequence[str]) -> dict[str, AddressBalance]:
        result: dict[str, AddressBalance] = {}
        for address in dict.fromkeys(addresses):
            summary_reply = await self.call("getaddressbalance", {"addresses": [address]})
            mempool_reply = await self.call("getaddressmempool", {"addresses": [address]})
            with self._reply("getaddressbalance/getaddressmempool"):
                summary = p.obj(summary_reply, "balance reply")
                mempool = p.arr(mempool_reply, "mempool reply")
                result[address] = AddressBalance(
                    address,
                    confirmed=p.satoshis(summary, "balance"),
                    unconfirmed=sum(
                        p.satoshis(_delta(d), "satoshis", signed=True) for d in mempool
                    ),
                    received=p.satoshis(summary, "received"),
                )
        return result

    async def history(
        self, addresses: Sequence[str], *, start: int = 0, limit: int = 50
    ) -> HistoryPage:
        unique = list(dict.fromkeys(addresses))
        if not unique:
            return HistoryPage([], 0, start)
        txids_reply = await self.call("getaddresstxids", {"addresses": unique})
        mempool_reply = await self.call("getaddressmempool", {"addresses": unique})
        with self._reply("getaddresstxids/getaddressmempool"):
            mined = [p.txid(t) for t in p.arr(txids_reply, "txid list")]
            pending = list(
                dict.fromkeys(p.txid(_delta(d).get("txid")) for d in p.arr(mempool_reply, "list"))
            )
        # getaddresstxids is oldest first; the interface is newest first, mempool on top.
        items = [HistoryItem(t, None, False) for t in reversed(pending)]
        items += [HistoryItem(t, None, True) for t in reversed(mined)]
        return HistoryPage(items[start : start + max(1, limit)], len(items), start)

    async def raw_transaction(self, txid: str) -> str:
        if not p.is_txid(txid):
            raise BackendError(f"{txid!r:.70} is not a transaction id.")
        raw = await self.call("getrawtransaction", txid.lower(), 0)
        if not isinstance(raw, str) or not raw or not p.is_hex(raw):
            raise BackendResponseError(f"{self.name}: getrawtransaction did not return hex.")
        return raw.lower()

    async def broadcast(self, raw_hex: str) -> str:
        if not raw_hex or not p.is_hex(raw_hex):
            raise BackendError("The transaction to broadcast is not hex; nothing was sent.")
        try:
            txid = await self.call("sendrawtransaction", raw_hex)
        except RpcError as exc:
            if exc.code in _BROADCAST_CODES:
                raise explain_broadcast_error(exc.rpc_message, exc.code) from None
            raise
        try:
            return p.txid(txid)
        except p.BadReply as exc:
            raise BackendResponseError(f"{self.name}: sendrawtransaction {exc}") from None

    async def fee_estimate(self, blocks: int = 2) -> int | None:
        value = await self.call("estimatefee", blocks)
        if value in (-1, -1.0):
            return None
        try:
            return p.flux_amount({"estimatefee": value}, "estimatefee")
        except p.BadReply as exc:
            raise BackendResponseError(f"{self.name}: {exc}") from None

    # --- JSON-RPC ------------------------------------------------------------------------

    @contextmanager
    def _reply(self, what: str) -> Iterator[None]:
        """Turn a malformed reply (internal BadReply) into a BackendResponseError naming it."""
        try:
            yield
        except p.BadReply as exc:
            raise BackendResponseError(
                f"{self.name} answered {what} with data that cannot be right ({exc}). "
                "Nothing was signed or sent."
            ) from None

    async def call(self, method: str, *params: Any) -> Any:
        """One JSON-RPC call; errors are mapped to BackendError subclasses with a next step."""
        session = await self._http.session()
        cfg = self._config
        payload = {"jsonrpc": "1.0", "id": next(self._ids), "method": method, "params": params}
        self.requests_made += 1
        try:
            status, body = await fetch(
                session,
                "POST",
                cfg.url,
                timeout=self._timeout.timeout(),
                json_body=payload,
                headers=basic_auth_header(cfg.user, cfg.password),
                # fluxd reports RPC errors as HTTP 500 with a JSON body; only 503 means "busy".
                transient_statuses=lambda s: s == 503,
            )
        except Transient as exc:
            raise BackendUnavailable(
                f"The local fluxd at {cfg.host}:{cfg.port} is not reachable ({exc}). Start fluxd "
                "or check rpcport in flux.conf; FluxDesk uses an Insight server meanwhile."
            ) from None
        if status == 401:
            raise BackendAuthError(
                f"fluxd refused the RPC user and password from {cfg.source}. Check rpcuser and "
                "rpcpassword there, and restart fluxd after changing them."
            )
        if status == 403:
            raise BackendAuthError(
                f"fluxd does not allow RPC from this address; add rpcallowip for it to "
                f"{cfg.source}."
            )
        try:
            reply = p.obj(p.parse_json(body), "JSON-RPC reply")
        except p.BadReply as exc:
            raise BackendResponseError(f"{self.name}: HTTP {status}, {exc}") from None
        error = reply.get("error")
        if error is not None:
            raise _rpc_error(method, error)
        if status != 200 or "result" not in reply:
            raise BackendResponseError(f"{self.name}: HTTP {status} without a result for {method}.")
        return reply["result"]


def _rpc_error(method: str, error: object) -> BackendError:
    if not isinstance(error, dict):
        return BackendResponseError(f"fluxd returned a malformed error for {method}.")
    code = error.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else 0
    message = error.get("message")
    message = message if isinstance(message, str) else ""
    if code == RPC_IN_WARMUP:
        return BackendUnavailable(
            f"fluxd is still starting ({message or 'warming up'}). Try again in a minute."
        )
    if code == RPC_IN_INITIAL_DOWNLOAD:
        return BackendUnavailable(
            "fluxd is still downloading the block chain; wait for it to sync."
        )
    if code == RPC_METHOD_NOT_FOUND:
        return RpcError(
            f"fluxd does not know the command {method}; update fluxd.",
            code=code,
            rpc_message=message,
        )
    if code == RPC_MISC_ERROR and "is disabled" in message:
        return RpcError(
            f"fluxd runs without the address index, which a wallet needs: {_INDEX_HINT}.",
            code=code,
            rpc_message=message,
        )
    if code == RPC_INVALID_ADDRESS_OR_KEY and method == "getrawtransaction":
        return RpcError(
            "fluxd does not know this transaction (it needs txindex=1 in flux.conf for old "
            "transactions).",
            code=code,
            rpc_message=message,
        )
    return RpcError(
        f"fluxd {method} failed: {message or 'no reason given'} (code {code}).",
        code=code,
        rpc_message=message,
    )


def _as_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BackendResponseError(f"fluxd {what} returned {value!r:.40}, not a block height.")
    return value


def _delta(item: object) -> dict[str, Any]:
    return p.obj(item, "mempool entry")


def _confirmed_utxo(item: dict[str, Any], tip: int, wanted: set[str]) -> Utxo:
    address = p.text(item, "address")
    if address not in wanted:
        raise p.BadReply(f"a UTXO for {address!r:.40}, which was not asked for")
    height = p.integer(item, "height", 0, p.MAX_HEIGHT)
    return Utxo(
        txid=p.txid(item.get("txid")),
        vout=p.integer(item, "outputIndex", 0, 1_000_000),
        address=address,
        satoshis=p.satoshis(item, "satoshis"),
        script_pubkey=p.hex_bytes(item.get("script"), "script"),
        height=height,
        confirmations=max(0, tip - height + 1),
    )


def _mempool_utxo(delta: dict[str, Any], wanted: set[str]) -> Utxo:
    address = p.text(delta, "address")
    if address not in wanted:
        raise p.BadReply(f"a mempool entry for {address!r:.40}, which was not asked for")
    # getaddressmempool has no script; verify.py reads it from the raw transaction anyway.
    return Utxo(
        txid=p.txid(delta.get("txid")),
        vout=p.integer(delta, "index", 0, 1_000_000),
        address=address,
        satoshis=p.satoshis(delta, "satoshis"),
        script_pubkey=b"",
        height=None,
        confirmations=0,
    )
