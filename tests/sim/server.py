"""Run the simulated network: one chain served as Insight and as fluxd RPC on 127.0.0.1.

``SimNetwork`` starts both aiohttp apps inside the running asyncio loop (ephemeral ports by
default) and offers the helpers tests use to shape the chain: ``mine``, ``fund``, ``fund_many``,
``faults`` per server, ``stop_server``/``start_server`` for a refused port, and a block timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Sequence
from types import TracebackType

from aiohttp import web

from tests.sim import insight, rpc
from tests.sim.chain import Chain
from tests.sim.faucet import Faucet, Funded
from tests.sim.faults import FAULTS, Faults
from tests.sim.params import SimParams
from wallet.txmodel import TxOut

HOST = "127.0.0.1"
SERVERS = ("insight", "rpc")


class SimNetwork:
    """A funded simulated Flux network; use ``async with SimNetwork() as sim``."""

    def __init__(
        self,
        params: SimParams | None = None,
        *,
        insight_port: int = 0,
        rpc_port: int = 0,
        rpc_user: str = "fluxdesk-sim",
        rpc_password: str | None = None,
    ) -> None:
        self.chain = Chain(params)
        self.faucet = Faucet(self.chain)
        self.faucet.bootstrap()
        self.rpc_user = rpc_user
        self.rpc_password = rpc_password or secrets.token_hex(16)
        self.faults = {"insight": Faults(), "rpc": Faults()}
        self._apps = {
            "insight": insight.make_app(self.chain),
            "rpc": rpc.make_app(self.chain, self.rpc_user, self.rpc_password),
        }
        for name, app in self._apps.items():
            app[FAULTS] = self.faults[name]
        self._ports = {"insight": insight_port, "rpc": rpc_port}
        self._runners: dict[str, web.AppRunner] = {}
        self._sites: dict[str, web.TCPSite] = {}
        self._timer: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------------------ lifecycle

    async def start(self) -> SimNetwork:
        for name in SERVERS:
            # A short shutdown timeout: a "slow server" fault must not hold up closing.
            runner = web.AppRunner(self._apps[name], access_log=None, shutdown_timeout=0.2)
            await runner.setup()
            self._runners[name] = runner
            await self.start_server(name)
        return self

    async def start_server(self, name: str) -> None:
        """(Re)open ``name``'s port; the first start picks a free port and keeps it."""
        site = web.TCPSite(self._runners[name], HOST, self._ports[name])
        await site.start()
        server = site._server
        if server is not None and self._ports[name] == 0:
            sockets = getattr(server, "sockets", None) or []
            self._ports[name] = sockets[0].getsockname()[1]
        self._sites[name] = site

    async def stop_server(self, name: str) -> None:
        """Close ``name``'s listening port: clients get "connection refused" until restarted."""
        site = self._sites.pop(name, None)
        if site is not None:
            await site.stop()

    async def close(self) -> None:
        self.stop_mining_timer()
        if self._timer is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        for name in list(self._sites):
            await self.stop_server(name)
        for runner in self._runners.values():
            await runner.cleanup()
        self._runners.clear()

    async def __aenter__(self) -> SimNetwork:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -------------------------------------------------------------------------------- where

    @property
    def insight_port(self) -> int:
        return self._ports["insight"]

    @property
    def rpc_port(self) -> int:
        return self._ports["rpc"]

    @property
    def insight_url(self) -> str:
        """Base URL including the /api prefix (append "/status?q=getInfo" etc.)."""
        return f"http://{HOST}:{self.insight_port}/api"

    @property
    def rpc_url(self) -> str:
        return f"http://{HOST}:{self.rpc_port}/"

    @property
    def height(self) -> int:
        return self.chain.tip_height

    # ------------------------------------------------------------------------------ shaping

    def mine(
        self, n: int = 1, to_address: str | None = None, *, include_mempool: bool = True
    ) -> list[str]:
        """Mine ``n`` blocks; rewards to ``to_address`` or the faucet.

        ``include_mempool=False`` mines empty blocks, as if the network ignored the pending
        transactions (to test expiry: they are dropped once the tip passes their expiry).
        """
        script = self.chain.miner_script(to_address, self.faucet.script)
        return [
            self.chain.mine_block(script, include_mempool=include_mempool).hash for _ in range(n)
        ]

    def fund(
        self, address: str, sats: int, *, coinbase: bool = False, confirmations: int = 1
    ) -> Funded:
        """Pay ``sats`` to ``address`` so it has exactly ``confirmations`` afterwards.

        ``coinbase=True`` pays it as an extra output of a new block's coinbase (so coinbase
        maturity applies); otherwise a signed faucet transaction goes through full validation
        and stays in the mempool when ``confirmations`` is 0.
        """
        if confirmations < 0 or (coinbase and confirmations < 1):
            raise ValueError("confirmations must be >= 0 (>= 1 for a coinbase payment)")
        if coinbase:
            script = self.chain.miner_script(address, self.faucet.script)
            block = self.chain.mine_block(
                self.faucet.script, coinbase_outputs=[TxOut(sats, script)]
            )
            coinbase_tx = self.chain.txs[block.txids[0]]
            funded = Funded(block.txids[0], len(coinbase_tx.tx.outputs) - 1, address, sats)
            self.mine(confirmations - 1)
            return funded
        funded = self.faucet.send(address, sats)
        self.mine(confirmations)
        return funded

    def fund_many(
        self, outputs: Sequence[tuple[str, int]], *, per_block: int = 100, sign: bool = False
    ) -> list[Funded]:
        """Bulk history: one funding tx per (address, sats), ``per_block`` per mined block."""
        return self.faucet.fund_many(outputs, per_block=per_block, sign=sign)

    def submit(self, raw_hex: str, *, allow_high_fees: bool = False) -> str:
        """Broadcast like sendrawtransaction (SimReject on refusal)."""
        return self.chain.submit(raw_hex, allow_high_fees=allow_high_fees)

    # ------------------------------------------------------------------------------- timer

    def start_mining_timer(self, interval: float) -> None:
        """Mine a block (to the faucet) every ``interval`` seconds until stopped."""
        self.stop_mining_timer()

        async def run() -> None:
            while True:
                await asyncio.sleep(interval)
                self.mine(1)

        self._timer = asyncio.get_running_loop().create_task(run())

    def stop_mining_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


__all__ = ["Funded", "SimNetwork"]
