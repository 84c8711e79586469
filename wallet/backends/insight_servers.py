"""Which Insight servers to use: the public defaults per network and checks of a typed URL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final
from urllib.parse import urlsplit

from wallet.errors import BackendError

# Public Insight deployments named in docs/protocol-wallet.md; the user can replace the list.
DEFAULT_INSIGHT_SERVERS: Final[Mapping[str, tuple[str, ...]]] = {
    "mainnet": ("https://flux-explorer.sspwallet.io/api", "https://explorer.runonflux.io/api"),
    "testnet": ("https://flux-testnet.sspwallet.io/api",),
    "regtest": (),
}


def normalize_server_url(url: str) -> str:
    """Validate a user-entered server base URL ("https://host/api"); raises BackendError."""
    cleaned = url.strip().rstrip("/")
    try:
        parts = urlsplit(cleaned)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        valid = False
    if not valid or any(c.isspace() or ord(c) < 0x20 for c in cleaned):
        raise BackendError(
            f"{url!r:.100} is not a server address. Use the form https://explorer.example/api."
        )
    if parts.query or parts.fragment:
        raise BackendError(f"{url!r} must not contain '?' or '#'.")
    return cleaned


def servers_for(network: str, user_servers: Sequence[str] = ()) -> list[str]:
    """The user's list when set, else the defaults for the network."""
    chosen = list(user_servers) or list(DEFAULT_INSIGHT_SERVERS.get(network, ()))
    return [normalize_server_url(s) for s in chosen]
