"""Typed errors of the wallet engine.

Every rejection the engine makes is one of these; nothing else escapes on bad input. Each message
is written for a person: what is wrong and, where there is one, the next step.
"""

from __future__ import annotations


class WalletError(Exception):
    """Base of every error the wallet package raises on purpose."""


class DecodeError(WalletError):
    """Bytes or text that do not parse (base58, hex, varints, scripts, transactions)."""


class InvalidAddress(WalletError):
    """An address with a bad checksum, unknown prefix or the wrong network."""


class InvalidKey(WalletError):
    """A private key, public key, WIF or extended key that is not valid."""


class InvalidMnemonic(WalletError):
    """A seed phrase with an unknown word, a bad word count or a failing checksum."""


class InvalidPath(WalletError):
    """A BIP32 derivation path that does not parse or cannot be derived."""


class InvalidTransaction(WalletError):
    """A transaction that is malformed or breaks a consensus or standardness rule."""


class SigningError(WalletError):
    """A transaction or message that cannot be signed with the keys given."""


class InvalidAmount(WalletError):
    """An amount that is negative, too precise (more than 8 decimals) or out of range."""


class FeeError(WalletError):
    """A fee below the floor or above the hard cap."""


class InsufficientFunds(WalletError):
    """Spendable coins do not cover amount plus fee."""


class TooManyInputs(WalletError):
    """A send needs more inputs than one transaction can carry (size or sigops limit)."""


class InvalidMessageSignature(WalletError):
    """A message signature that is malformed (bad base64, bad length or header)."""
