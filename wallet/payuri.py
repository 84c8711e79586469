"""Payment requests as text for a QR code or a link (docs/protocol-wallet.md, "Payment requests").

`flux:<address>?amount=<coins>&message=<text>` is the BIP21 shape: SSP's QR scanner accepts any
`<scheme>:<address>?…` and keeps the address; a bare address is what SSP's own Receive shows.
Zelcore opens payments from a `zel:?action=pay&coin=zelcash&…` link (the form FluxOS uses for
"Pay with Zelcore"), offered as a second, copyable link.
"""

from __future__ import annotations

from urllib.parse import quote

from wallet.amounts import format_amount

SCHEME = "flux"


def payment_uri(address: str, satoshis: int | None = None, message: str = "") -> str:
    """The QR text: the bare address when nothing else is asked, else a `flux:` URI."""
    query = _query(satoshis, message)
    if not query:
        return address
    return f"{SCHEME}:{address}?{query}"


def zelcore_link(address: str, satoshis: int | None = None, message: str = "") -> str:
    """A link that opens Zelcore's send screen filled in."""
    query = _query(satoshis, message)
    return f"zel:?action=pay&coin=zelcash&address={quote(address, safe='')}" + (
        f"&{query}" if query else ""
    )


def _query(satoshis: int | None, message: str) -> str:
    parts = []
    if satoshis:
        # Plain digits and a dot, whatever this computer's locale: other wallets parse it.
        parts.append(f"amount={format_amount(satoshis)}")
    if message.strip():
        parts.append(f"message={quote(message.strip(), safe='')}")
    return "&".join(parts)
