"""The one composition of FluxDesk's services, used by the CLI and the GUI alike.

Both sides ask this module for the wallet file (app/paths.py's layout), the Insight servers
(settings section ``servers``; a one-off ``--insight`` override on the command line) and the
chain backend (a local fluxd when one is found, synced and indexed, else Insight), so a wallet made
with one opens in the other and talks to the same servers. The HTTP clients are imported only
when a backend is built, so the window can show before aiohttp is loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import settings as app_settings
from app.context import AppContext
from app.paths import DEFAULT_WALLET, DataPaths
from app.settings import NETWORKS, Settings
from wallet.backends.base import AddressBalance, ChainBackend, HistoryPage, Utxo
from wallet.errors import BackendError, BackendUnavailable
from wallet.service import WalletService
from wallet.storage.crypto import KdfParams
from wallet.storage.model import WalletSettings
from wallet.storage.store import WalletStore

if TYPE_CHECKING:
    from nodectl.bench.network import NetworkEndpoints

log = logging.getLogger(__name__)


class NoBackend:
    """The backend while none is chosen (locked wallet, or no server known): every call fails
    with the reason, in words."""

    def __init__(self, reason: str = "The wallet is locked; no server is contacted yet.") -> None:
        self.reason = reason

    @property
    def name(self) -> str:
        return "no server"

    def _fail(self) -> BackendUnavailable:
        return BackendUnavailable(self.reason)

    async def tip_height(self) -> int:
        raise self._fail()

    async def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        raise self._fail()

    async def balances(self, addresses: Sequence[str]) -> dict[str, AddressBalance]:
        raise self._fail()

    async def history(
        self, addresses: Sequence[str], *, start: int = 0, limit: int = 50
    ) -> HistoryPage:
        raise self._fail()

    async def raw_transaction(self, txid: str) -> str:
        raise self._fail()

    async def broadcast(self, raw_hex: str) -> str:
        raise self._fail()

    async def fee_estimate(self, blocks: int = 2) -> int | None:
        raise self._fail()

    async def close(self) -> None:
        return None


class Services:
    """Built once per run from the AppContext; hands out stores, backends and endpoints."""

    def __init__(self, ctx: AppContext, *, kdf: KdfParams | None = None) -> None:
        self.ctx = ctx
        self.paths = DataPaths(ctx.data_dir)
        self._kdf = kdf
        # Old-layout wallet files are moved into place before anything opens one.
        self.migration_notes = self.paths.migrate_wallets(NETWORKS)

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def network(self) -> str:
        return self.ctx.network

    def save_settings(self) -> None:
        app_settings.save(self.ctx.data_dir, self.ctx.settings)

    # --- wallet ----------------------------------------------------------------------------

    def wallet_path(self, network: str | None = None, name: str = DEFAULT_WALLET) -> Path:
        return self.paths.wallet(network or self.network, name)

    def wallet_store(self, network: str | None = None, name: str = DEFAULT_WALLET) -> WalletStore:
        return WalletStore(self.wallet_path(network, name), kdf=self._kdf)

    def wallet_service(self, name: str = DEFAULT_WALLET) -> WalletService:
        """A WalletService on this run's network; `connect_wallet` gives it a backend."""
        return WalletService(self.wallet_store(name=name), NoBackend(), network=self.network)

    # --- servers ---------------------------------------------------------------------------

    def insight_servers(
        self, network: str, override: Sequence[str] = (),
        wallet_settings: WalletSettings | None = None,
    ) -> list[str]:
        """--insight, else the settings' list, else (older GUI wallets) the list stored in the
        wallet file, which is then adopted into the settings; else the built-in defaults."""
        from wallet.backends.insight import servers_for

        chosen = list(override) or self.settings.servers.insight_for(network)
        if not chosen and wallet_settings is not None and wallet_settings.insight_servers:
            chosen = list(wallet_settings.insight_servers)
            self.remember_insight(network, chosen)
        return servers_for(network, chosen)

    def remember_insight(self, network: str, servers: Sequence[str]) -> None:
        """Keep `servers` as the network's Insight list (for the CLI and the GUI)."""
        from wallet.backends.insight import normalize_server_url

        urls = [normalize_server_url(s) for s in servers]
        if self.settings.servers.insight_for(network) == urls:
            return
        self.settings.servers.insight[network] = urls
        self.save_settings()
        log.info("Insight servers for %s saved in the settings", network)

    def use_local_node(self, wallet_settings: WalletSettings | None = None) -> bool:
        return self.settings.servers.use_local_node and (
            wallet_settings is None or wallet_settings.use_local_node
        )

    async def chain_backend(
        self, network: str | None = None, wallet_settings: WalletSettings | None = None, *,
        insight: Sequence[str] = (), rpc_conf: Path | None = None,
    ) -> tuple[ChainBackend, str]:
        """The backend the wallet should use, and why (a sentence for the status bar)."""
        from flux.fluxconf import read_flux_conf
        from wallet.backends.fluxd_rpc import FluxdRpcBackend
        from wallet.backends.insight import InsightBackend
        from wallet.backends.select import choose_backend, local_fluxd

        network = network or self.network
        if rpc_conf is not None:
            chosen = FluxdRpcBackend(read_flux_conf(rpc_conf))
            return chosen, f"using {chosen.name} from {rpc_conf}"
        servers = self.insight_servers(network, insight, wallet_settings)
        if not servers:
            reason = (
                f"No Insight server is known for {network}. Pass --insight URL or --rpc-conf "
                "PATH on the command line, or create the wallet again with your server's address."
            )
            return NoBackend(reason), reason
        try:
            explorer = InsightBackend(servers)
        except BackendError as exc:
            return NoBackend(str(exc)), str(exc)
        fluxd: FluxdRpcBackend | None = None
        if self.use_local_node(wallet_settings):
            conf = self.settings.servers.flux_conf
            fluxd = local_fluxd(Path(conf).expanduser() if conf else None)[0]
        selection = await choose_backend(explorer, fluxd)
        if selection.backend is not explorer:
            await explorer.close()
        elif fluxd is not None:
            await fluxd.close()
        return selection.backend, selection.reason

    async def connect_wallet(
        self, service: WalletService, *, insight: Sequence[str] = (),
        rpc_conf: Path | None = None,
    ) -> str:
        """Give an open (or new) wallet its backend; returns why this one was chosen."""
        wallet_settings = service.document.settings if service.is_open else None
        backend, reason = await self.chain_backend(
            service.network.name, wallet_settings, insight=insight, rpc_conf=rpc_conf
        )
        old = service.backend
        service.set_backend(backend)
        if old is not backend:
            await old.close()
        return reason

    async def insight_tip(self, url: str) -> int:
        """Ask one Insight server for its tip height (Settings → Servers, Test)."""
        from wallet.backends.insight import InsightBackend
        from wallet.backends.insight_servers import normalize_server_url

        explorer = InsightBackend([normalize_server_url(url)])
        try:
            return await explorer.tip_height()
        finally:
            await explorer.close()

    async def fluxd_tip(self, flux_conf: str) -> int:
        """Ask the local fluxd of `flux_conf` ("" = the default place) for its tip height."""
        from wallet.backends.select import local_fluxd

        fluxd, reason = local_fluxd(Path(flux_conf).expanduser() if flux_conf else None)
        if fluxd is None:
            raise BackendError(reason)
        try:
            return (await fluxd.status()).tip_height
        finally:
            await fluxd.close()

    # --- benchmark -------------------------------------------------------------------------

    def bench_endpoints(self) -> NetworkEndpoints:
        from nodectl.bench.network import SETTING_DOWNLOAD, SETTING_UPLOAD, NetworkEndpoints

        bench = self.settings.bench
        return NetworkEndpoints.from_settings(
            {SETTING_DOWNLOAD: bench.download_urls, SETTING_UPLOAD: bench.upload_urls}
        )


class ServerTests:
    """Settings → Servers tests, run where the services live: `run` hands each coroutine to the
    engine loop (ui.concurrency.Engine.call) and awaits it from the GUI's loop."""

    def __init__(
        self, services: Services, run: Callable[[Coroutine[Any, Any, int]], Awaitable[int]]
    ) -> None:
        self._services, self._run = services, run

    def insight_tip(self, url: str) -> Awaitable[int]:
        return self._run(self._services.insight_tip(url))

    def fluxd_tip(self, flux_conf: str) -> Awaitable[int]:
        return self._run(self._services.fluxd_tip(flux_conf))
