"""Fault injection for one simulated server (Insight or RPC), set per test.

``Faults`` lives on the aiohttp app (``app[FAULTS]``); the middleware applies it to each
request whose path (Insight) or JSON-RPC method (RPC) matches ``only``:

* ``down``: the connection is dropped without an answer (SimNetwork.stop_server gives a
  refused port instead);
* ``delay``: seconds to wait before answering (a slow server);
* ``status``: answer with this HTTP status (e.g. 500) and a plain-text body;
* ``malformed``: a 200 answer whose JSON body is cut off;
* ``lie_amount``: satoshis added to every amount in the answer (UTXOs, tx outputs, balances)
  while raw transaction hex stays true, as a dishonest indexer would do;
* ``fake_utxo``: an extra UTXO that does not exist is added to UTXO lists.

``remaining`` limits how many matching requests are affected (None = all).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from flux.money import COIN

FAKE_TXID = "fa" * 32


@dataclass
class Faults:
    down: bool = False
    delay: float = 0.0
    status: int | None = None
    malformed: bool = False
    lie_amount: int = 0
    fake_utxo: bool = False
    only: tuple[str, ...] = ()
    remaining: int | None = None
    hits: int = 0

    def clear(self) -> None:
        self.down = self.malformed = self.fake_utxo = False
        self.delay = 0.0
        self.status = None
        self.lie_amount = 0
        self.only = ()
        self.remaining = None

    @property
    def active(self) -> bool:
        return bool(
            self.down or self.delay or self.status or self.malformed or self.lie_amount
            or self.fake_utxo
        )

    def applies(self, target: str) -> bool:
        if not self.active or (self.remaining is not None and self.remaining <= 0):
            return False
        if self.only and not any(part in target for part in self.only):
            return False
        self.hits += 1
        if self.remaining is not None:
            self.remaining -= 1
        return True


FAULTS: web.AppKey[Faults] = web.AppKey("faults", Faults)


async def _target(request: web.Request) -> str:
    """The request path, plus the JSON-RPC method name when the body has one."""
    if request.method == "POST" and request.content_type in ("application/json", "text/plain", ""):
        try:
            body = json.loads(await request.read() or b"null")
        except ValueError:
            return request.path
        if isinstance(body, dict) and isinstance(body.get("method"), str):
            return f"{request.path} {body['method']}"
    return request.path


@web.middleware
async def fault_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    faults = request.app.get(FAULTS)
    if faults is None or not faults.active:
        response: web.StreamResponse = await handler(request)
        return response
    if not faults.applies(await _target(request)):
        passed: web.StreamResponse = await handler(request)
        return passed
    if faults.delay:
        await asyncio.sleep(faults.delay)
    if faults.down:
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise asyncio.CancelledError  # the client sees the connection reset
    if faults.status:
        return web.Response(status=faults.status, text="Internal Server Error (simulated fault)")
    response = await handler(request)
    if not isinstance(response, web.Response) or response.body is None:
        return response
    body = bytes(response.body)  # type: ignore[arg-type]
    if faults.malformed:
        return web.Response(
            status=response.status, body=body[: max(1, len(body) // 2)],
            content_type="application/json",
        )
    if (faults.lie_amount or faults.fake_utxo) and response.status == 200:
        try:
            data = json.loads(body)
        except ValueError:
            return response
        data = _lie(data, faults.lie_amount, faults.fake_utxo)
        return web.Response(status=200, text=json.dumps(data), content_type="application/json")
    return response


def _shift(value: Any, delta: int, as_text: bool = False) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    try:
        sats = round(float(value) * COIN) + delta
    except ValueError:
        return value
    return f"{sats / COIN:.8f}" if as_text or isinstance(value, str) else sats / COIN


def _lie(data: Any, delta: int, fake_utxo: bool) -> Any:
    if isinstance(data, list):
        items = [_lie(item, delta, fake_utxo) for item in data]
        if fake_utxo and items and all(isinstance(i, dict) and "satoshis" in i for i in items):
            fake = dict(items[0])
            fake.update({"txid": FAKE_TXID, "vout": 0})
            fake["outputIndex" if "outputIndex" in fake else "vout"] = 0
            items.append(fake)
        return items
    if not isinstance(data, dict):
        return data
    out = {key: _lie(value, delta, fake_utxo) for key, value in data.items()}
    if not delta:
        return out
    for key in ("satoshis", "valueSat", "valueZat", "balanceSat", "balance"):
        if isinstance(out.get(key), int) and not isinstance(out.get(key), bool):
            out[key] += delta
    if "satoshis" in out and "amount" in out:
        out["amount"] = out["satoshis"] / COIN
    if ("valueSat" in out and "value" in out) or ("value" in out and "n" in out):
        out["value"] = _shift(out["value"], delta)
    return out
