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


class StaleReview(InvalidTransaction):
    """The chain moved on since the review was built (its expiry is now too close); build a new
    review before signing."""


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


class StorageError(WalletError):
    """The wallet file cannot be read, written or unlocked."""


class WrongPassword(StorageError):
    """The password (or remembered unlock key) does not open this wallet file."""


class CorruptWalletFile(StorageError):
    """The wallet file is truncated, damaged or was changed outside FluxDesk."""


class UnsupportedWalletFile(StorageError):
    """The wallet file was written by a newer FluxDesk or is not a FluxDesk wallet at all."""


class WalletLocked(StorageError):
    """The wallet was locked (by the user or after being idle); unlock it again to continue."""


class RememberUnavailable(StorageError):
    """The OS keyring cannot store or give back the remembered unlock key."""


class BackendError(WalletError):
    """A chain backend (Insight server or local fluxd) failed or answered something unusable."""


class BackendUnavailable(BackendError):
    """No backend server could be reached (connection refused, timeout, server error)."""


class BackendResponseError(BackendError):
    """A backend answered with malformed JSON, wrong types or values that cannot be true."""


class BackendAuthError(BackendError):
    """The local fluxd refused the RPC user/password."""


class BackendMismatch(BackendError):
    """Data from a backend does not match what it claims (e.g. a transaction and its txid)."""


class BroadcastRejected(BackendError):
    """The network refused a transaction; `kind` says why and the message says what to do."""

    def __init__(
        self, message: str, *, kind: str, code: int | None, detail: str, maybe_sent: bool = False
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code
        self.detail = detail
        # True when an earlier server got the transaction but gave no answer (it may have
        # relayed it), so this refusal does not prove that nothing was sent.
        self.maybe_sent = maybe_sent


class BroadcastUncertain(BackendError):
    """A broadcast whose outcome is unknown: the transaction may be on the network.

    The wallet keeps it as pending (its coins stay spent) until it confirms or expires after
    block `expiry_height`; sending again before then could pay twice.
    """

    def __init__(self, message: str, *, txid: str, expiry_height: int) -> None:
        super().__init__(message)
        self.txid = txid
        self.expiry_height = expiry_height


class AddressNotWatched(WalletError):
    """The next address of a chain lies beyond the addresses this sync watches.

    Handing it out could lose a payment to it, so the wallet refuses until a sync covers it.
    """
