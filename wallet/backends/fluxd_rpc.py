"""A local fluxd as chain backend: JSON-RPC over HTTP using the address index.

The address RPCs (getaddressutxos, getaddressbalance, getaddresstxids, getaddressmempool) exist
only when fluxd runs with `experimentalfeatures=1` and `insightexplorer=1` (fluxd rpc/misc.cpp);
credentials come from the node's flux.conf (flux.fluxconf); the transport is flux.rpc.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from flux.errors import ConfAuthError, ConfError
from flux.fluxconf import RpcConfig, read_flux_conf
from flux.rpc import (
    RPC_IN_INITIAL_DOWNLOAD,
    RPC_IN_WARMUP,
    RPC_INVALID_ADDRESS_OR_KEY,
    RPC_METHOD_NOT_FOUND,
    RPC_MISC_ERROR,
    FluxdClient,
    RpcAuthFailed,
    RpcBadReply,
    RpcCall,
    RpcCallError,
    RpcUnreachable,
)
from wallet.backends import parsing as p
from wallet.backends.base import AddressBalance, BackendStatus, HistoryItem, HistoryPage, Utxo
from wallet.backends.broadcast_errors import explain_broadcast_error
from wallet.errors import (
    BackendAuthError,
    BackendError,
    BackendResponseError,
    BackendUnavailable,
)

log = logging.getLogger(__name__)

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


class FluxdRpcBackend(FluxdClient):
    """The wallet's chain backend on a local fluxd (flux.rpc's client, errors in wallet terms)."""

    # Set once a node answers a batch with something other than a reply list.
    _batches_refused: bool = False

    @property
    def name(self) -> str:
        return f"local fluxd {self.config.host}:{self.config.port}"

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
        reply, mempool_reply = await self.calls(
            RpcCall("getaddressutxos", ({"addresses": unique, "chainInfo": True},)),
            RpcCall("getaddressmempool", ({"addresses": unique},)),
        )
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
        unique = list(dict.fromkeys(addresses))
        calls = []
        for address in unique:
            calls.append(RpcCall("getaddressbalance", ({"addresses": [address]},)))
            calls.append(RpcCall("getaddressmempool", ({"addresses": [address]},)))
        # One request for all addresses: a reply per address and call, matched by id.
        replies = await self.calls(*calls)
        result: dict[str, AddressBalance] = {}
        for n, address in enumerate(unique):
            summary_reply, mempool_reply = replies[2 * n], replies[2 * n + 1]
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
        txids_reply, mempool_reply = await self.calls(
            RpcCall("getaddresstxids", ({"addresses": unique},)),
            RpcCall("getaddressmempool", ({"addresses": unique},)),
        )
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
        return self._raw_reply(await self.call("getrawtransaction", txid.lower(), 0))

    async def raw_transactions(self, txids: Sequence[str]) -> list[str]:
        """Many getrawtransaction calls in one JSON-RPC batch (one POST), as fluxd accepts."""
        for txid in txids:
            if not p.is_txid(txid):
                raise BackendError(f"{txid!r:.70} is not a transaction id.")
        replies = await self.calls(*(RpcCall("getrawtransaction", (t.lower(), 0)) for t in txids))
        return [self._raw_reply(r) for r in replies]

    def _raw_reply(self, reply: object) -> str:
        if isinstance(reply, RpcCallError):
            raise _rpc_error(reply)
        if not isinstance(reply, str) or not reply or not p.is_hex(reply):
            raise BackendResponseError(f"{self.name}: getrawtransaction did not return hex.")
        return reply.lower()

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
        with self._mapped():
            try:
                return await super().call(method, *params)
            except RpcCallError as exc:
                raise _rpc_error(exc) from None

    async def calls(self, *calls: RpcCall) -> list[Any]:
        """Several calls in one batch request; the first refused call raises as `call` would.

        A node (or a proxy before it) that does not answer a batch with a list of replies is
        asked one call per request from then on, with one log line saying so.
        """
        results = await self._batch_or_singles(calls)
        for result in results:
            if isinstance(result, RpcCallError):
                raise _rpc_error(result)
        return results

    async def _batch_or_singles(self, calls: Sequence[RpcCall]) -> list[Any]:
        with self._mapped():
            if not self._batches_refused:
                try:
                    return await self.batch(calls)
                except RpcBadReply as exc:
                    self._batches_refused = True
                    log.warning(
                        "%s does not answer JSON-RPC batch requests (%s); asking one call per "
                        "request from now on, which is slower",
                        self.name,
                        exc,
                    )
            return [await self._single(c) for c in calls]

    async def _single(self, rpc_call: RpcCall) -> Any:
        try:
            return await super().call(rpc_call.method, *rpc_call.params)
        except RpcCallError as exc:
            return exc

    @contextmanager
    def _mapped(self) -> Iterator[None]:
        """The transport's failures in the wallet's words."""
        cfg = self.config
        try:
            yield
        except RpcUnreachable as exc:
            raise BackendUnavailable(
                f"The local fluxd at {cfg.host}:{cfg.port} is not reachable ({exc.reason}). Start "
                "fluxd or check rpcport in flux.conf; FluxDesk uses an Insight server meanwhile."
            ) from None
        except RpcAuthFailed as exc:
            raise BackendAuthError(str(exc)) from None
        except RpcBadReply as exc:
            raise BackendResponseError(f"{self.name}: {exc}") from None


def read_rpc_config(conf_path: Path | None = None) -> RpcConfig:
    """The local node's RPC settings from its flux.conf, problems as wallet BackendErrors."""
    try:
        return read_flux_conf(conf_path)
    except ConfAuthError as exc:
        raise BackendAuthError(str(exc)) from None
    except ConfError as exc:
        raise BackendError(
            f"{exc} Or use an Insight server (Settings → Servers)."
        ) from None


def _rpc_error(error: RpcCallError) -> BackendError:
    method, code, message = error.method, error.code, error.rpc_message
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
