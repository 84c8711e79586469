"""WalletService plus the operations the GUI needs that wallet/service.py does not offer yet.

Candidates to move into WalletService itself: coin-controlled sends, consolidation reviews,
saving after document edits, activity touch and password change. As a subclass it may use the
service's protected state (sync snapshot, locked outpoints, change address).
"""

from __future__ import annotations

from collections.abc import Collection

from wallet import send as wsend
from wallet.coinselect import SpendPlan, plan_consolidation
from wallet.coinselect import Utxo as Coin
from wallet.errors import WalletLocked
from wallet.fees import DEFAULT_FEE_RATE
from wallet.service import WalletService
from wallet.signing import p2pkh_input_size

Outpoint = tuple[str, int]


class GuiWalletService(WalletService):
    """WalletService plus what the GUI needs; candidates to move into wallet/service.py."""

    async def prepare_send_from(
        self, request: wsend.SendRequest, coins: Collection[Outpoint] | None
    ) -> wsend.Review:
        """Like prepare_send, but spend only `coins` when given (coin control)."""
        if coins is None:
            return await self.prepare_send(request)
        if self._sync_state is None:
            await self.sync()
        assert self._sync_state is not None
        tip = await self.backend.tip_height()
        chosen = [u for u in self._sync_state.utxos if u.outpoint in coins]
        return wsend.build_review(
            request, keychain=self.keychain, coins=chosen, tip=tip,
            change_address=self._change_address(), locked=self._locked(),
            frozen=self.document.frozen, base_rate=DEFAULT_FEE_RATE,
        )

    async def consolidation_reviews(self) -> list[wsend.Review]:
        """Send-to-self reviews merging small coins (frozen and collateral coins excluded)."""
        if self._sync_state is None:
            await self.sync()
        assert self._sync_state is not None
        keychain = self.keychain
        frozen = self.document.frozen
        coins = [
            Coin(u.txid, u.vout, u.satoshis, u.confirmations, u.coinbase, u.address,
                 p2pkh_input_size(keychain.is_compressed(u.address)))
            for u in self._sync_state.utxos if u.outpoint not in frozen
        ]
        target = self.receive_address()
        tip = await self.backend.tip_height()
        plans = plan_consolidation(coins, target, network=self.network,
                                   fee_rate=DEFAULT_FEE_RATE, locked=self._locked())
        expiry = tip + self.document.settings.expiry_delta
        return [self._self_review(plan, target, tip, expiry) for plan in plans]

    def _self_review(self, plan: SpendPlan, target: str, tip: int, expiry: int) -> wsend.Review:
        return wsend.Review(
            network=self.network.name, to=target, amount=plan.outputs[0][1], is_max=True,
            inputs=tuple(wsend.ReviewInput(u.txid, u.vout, u.address, u.satoshis)
                         for u in plan.inputs),
            outputs=(wsend.ReviewOutput(target, plan.outputs[0][1], "recipient"),),
            change=0, change_address=None, fee=plan.fee, fee_rate=DEFAULT_FEE_RATE,
            size=plan.size, tip_height=tip, expiry_height=expiry, message=None,
        )

    def save_document(self) -> None:
        self._save()

    def touch(self) -> None:
        if self._wallet is not None:
            self._wallet.touch()

    async def change_password(self, old: str, new: str) -> None:
        if self._wallet is None:
            raise WalletLocked("No wallet is open.")
        await self._wallet.change_password_async(old, new)
