"""The service never hands out an address its sync does not watch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wallet.memchain import MemoryChain
from tests.wallet.test_service import restored
from wallet.errors import AddressNotWatched
from wallet.keychain import RECEIVE
from wallet.networks import TESTNET
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
