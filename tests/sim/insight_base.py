"""Shared plumbing of the simulated Insight API: app key, errors as insight sends them,
request parsing (JavaScript parseInt, JSON or form bodies, address checks)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.sim.chain import Chain
from tests.sim.common import RpcError, address_network, address_on_chain
from wallet.address import decode_address
from wallet.errors import InvalidAddress

CHAIN: web.AppKey[Chain] = web.AppKey("chain", Chain)
MAX_HISTORY = 50  # bitcore-node DEFAULT_MAX_HISTORY
MAX_TXIDS = 1000  # bitcore-node DEFAULT_MAX_TXIDS
PAGE_LENGTH = 10
BLOCK_LIMIT = 200
PROTOCOL_VERSION = 170021
CLIENT_VERSION = 9000650


class InsightError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def coded(message: str, code: int) -> InsightError:
    return InsightError(400, f"{message}. Code:{code}")


NOT_FOUND = InsightError(404, "Not found")


@web.middleware
async def insight_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except InsightError as exc:
        return web.Response(status=exc.status, text=exc.text)
    except RpcError as exc:
        return web.Response(status=400, text=f"{exc.message}. Code:{exc.code}")


def chain_of(request: web.Request) -> Chain:
    return request.app[CHAIN]


async def body_of(request: web.Request) -> dict[str, Any]:
    if request.method != "POST" or not request.body_exists:
        return {}
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except ValueError:
            raise InsightError(400, "SyntaxError: Unexpected token in JSON") from None
        return data if isinstance(data, dict) else {}
    return dict(await request.post())


def check_addresses(chain: Chain, addresses: list[str]) -> list[str]:
    """insight AddressController.check: every address must decode (any Flux network)."""
    if not addresses or not addresses[0]:
        raise coded("Must include address", 1)
    for address in addresses:
        if address_network(address) is None:
            try:
                decode_address(address)
            except InvalidAddress as exc:
                raise coded(f"Invalid address: {exc}", 1) from None
    return addresses


async def addresses_of(request: web.Request) -> list[str]:
    body = await body_of(request)
    raw = body.get("addrs") if body.get("addrs") else request.match_info.get("addrs", "")
    return check_addresses(chain_of(request), str(raw).split(","))


def on_chain(chain: Chain, addresses: list[str]) -> list[str]:
    """fluxd's address index answers -5 "Invalid address" for another network's address."""
    for address in addresses:
        if not address_on_chain(chain, address):
            raise coded("Invalid address", -5)
    return addresses


def js_int(value: object) -> int:
    """JavaScript parseInt(x) || 0 for the simple inputs insight receives."""
    text = str(value or "").strip()
    digits = ""
    for i, ch in enumerate(text):
        if ch.isdigit() or (i == 0 and ch in "+-"):
            digits += ch
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return 0


# ------------------------------------------------------------------------------------- status


