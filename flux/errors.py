"""Errors raised by the flux package; each message says what is wrong and what to do next."""

from __future__ import annotations


class FluxError(Exception):
    """Base of every error raised by the flux package."""


class UnknownNetwork(FluxError, ValueError):
    """A network name that is not mainnet, testnet or regtest."""


class ConfError(FluxError):
    """flux.conf is missing, unreadable or holds a value that cannot be right."""


class ConfAuthError(ConfError):
    """flux.conf gives no usable RPC credentials."""
