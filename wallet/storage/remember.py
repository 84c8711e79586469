""" "Remember on this device": a random unlock key kept in the OS keyring.

The keyring never sees the password. It holds a random 256-bit key that wraps the wallet's data key
(see crypto.py); deleting the keyring entry or the wrap in the file forgets the device.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from typing import Final

from wallet.errors import RememberUnavailable

log = logging.getLogger(__name__)

SERVICE: Final = "FluxDesk"
DEVICE_KEY_BYTES: Final = 32

_HINT = (
    "Unlock with your password instead. On Linux the keyring needs a Secret Service "
    "(GNOME Keyring or KWallet) that is running and unlocked."
)


def new_device_key() -> bytes:
    return os.urandom(DEVICE_KEY_BYTES)


def store_device_key(wallet_id: str, key: bytes) -> None:
    import keyring  # here, not at the top: no keyring in memory while the wallet stays locked

    try:
        keyring.set_password(SERVICE, wallet_id, base64.b64encode(key).decode("ascii"))
    except Exception as exc:  # any backend (D-Bus, KWallet, macOS) may fail its own way
        log.warning("keyring refused to store the unlock key: %s", type(exc).__name__)
        raise RememberUnavailable(
            f"The system keyring could not store the unlock key ({type(exc).__name__}). {_HINT}"
        ) from None


def load_device_key(wallet_id: str) -> bytes:
    import keyring  # see store_device_key

    try:
        encoded = keyring.get_password(SERVICE, wallet_id)
    except Exception as exc:  # see store_device_key
        raise RememberUnavailable(
            f"The system keyring could not be read ({type(exc).__name__}). {_HINT}"
        ) from None
    if encoded is None:
        raise RememberUnavailable(
            "This device no longer has the remembered unlock key for this wallet "
            "(the keyring entry was removed). Unlock with your password."
        )
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != DEVICE_KEY_BYTES:
        raise RememberUnavailable(
            "The remembered unlock key in the keyring is damaged. Unlock with your password and "
            "turn 'remember on this device' on again."
        )
    return key


def delete_device_key(wallet_id: str) -> None:
    """Best effort: a missing entry or an unavailable keyring is not an error when forgetting."""
    import keyring  # see store_device_key
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, wallet_id)
    except PasswordDeleteError:
        pass
    except Exception as exc:  # see store_device_key
        log.warning("could not delete the keyring entry: %s", type(exc).__name__)
