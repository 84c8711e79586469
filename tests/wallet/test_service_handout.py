"""Service hooks of the security fixes: addresses handed out, pending sends kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux.money import COIN
from flux.networks import TESTNET
from tests.wallet.memchain import MemoryChain
from tests.wallet.test_service import OUTSIDE, restored
from wallet.errors import AddressNotWatched, BackendUnavailable, BroadcastUncertain
from wallet.keychain import RECEIVE
from wallet.send import SendRequest
from wallet.sync import DEFAULT_GAP_LIMIT


@pytest.mark.asyncio
async def test_new_addresses_stop_at_the_watched_window_until_the_next_sync(
    tmp_path: Path,
) -> None:
    service = await restored(tmp_path, MemoryChain(TESTNET))
    await service.sync()
    handed = [service.receive_address(new=True) for _ in range(DEFAULT_GAP_LIMIT)]
    assert len(set(handed)) == DEFAULT_GAP_LIMIT
    with pytest.raises(AddressNotWatched, match="Sync again"):
        service.receive_address(new=True)
    # The next sync watches past the handed-out addresses, so there is a next one again.
    await service.sync()
    assert service.receive_address(new=True) == service.keychain.derive(
        RECEIVE, DEFAULT_GAP_LIMIT
    ).address


class SilentChain(MemoryChain):
    """Takes the transaction but never answers (the outcome is unknown)."""

    async def broadcast(self, raw_hex: str) -> str:
        await super().broadcast(raw_hex)
        raise BackendUnavailable("no answer within 30 s")


@pytest.mark.asyncio
async def test_a_failed_save_of_the_pending_tx_still_says_it_may_have_been_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain = SilentChain(TESTNET)
    service = await restored(tmp_path, chain)
    chain.fund(service.keychain.derive(RECEIVE, 0).address, 5 * COIN)
    await service.sync()
    review = await service.prepare_send(SendRequest(OUTSIDE, "1"))

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(service.store, "_write", disk_full)
    with pytest.raises(BroadcastUncertain):
        await service.send(review)
    # Held in this session even though the file could not keep it.
    assert service.state is not None and service.state.history[0].pending
