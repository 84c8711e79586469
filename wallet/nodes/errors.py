"""Typed errors of the staking core, each with a plain message and the next step."""

from __future__ import annotations

from wallet.errors import BackendError, WalletError


class StartRefused(WalletError):
    """A START must not be built or sent now; ``eta_seconds`` says when it may (None = unknown)."""

    def __init__(self, message: str, *, reason: str, eta_seconds: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.eta_seconds = eta_seconds


class StartMaybeSent(BackendError):
    """The START may have reached the network: record it as "starting" and do not resend at once.

    A second START with a newer sigTime replaces a pending one, so retrying later is safe.
    """

    def __init__(self, message: str, *, txid: str, sig_time: int) -> None:
        super().__init__(message)
        self.txid = txid
        self.sig_time = sig_time


class NodeListError(WalletError):
    """A node list from a server is malformed; the message says which entry and what to do."""


class NodeInputError(WalletError):
    """Bad input for a node operation (unknown name, bad outpoint, not our coin…)."""
