import hashlib
import json
import struct

import pytest

from wallet.errors import CorruptWalletFile, UnsupportedWalletFile, WrongPassword
from wallet.storage import crypto
from wallet.storage.crypto import Header, KdfParams


def _make(kdf: KdfParams, password: str = "pw", payload: bytes = b'{"x":1}') -> tuple[bytes, bytes]:
    data_key = crypto.new_data_key()
    wrap = crypto.wrap_key(data_key, crypto.derive_key(password, kdf), "w1", "password")
    header = Header("w1", kdf, wrap, None, crypto.new_nonce())
    return crypto.seal(header, data_key, payload), data_key


def _unlock(blob: bytes, password: str) -> bytes:
    sealed = crypto.parse_file(blob)
    kek = crypto.derive_key(password, sealed.header.kdf)
    return sealed.open(crypto.unwrap_key(sealed.header.password_wrap, kek, "w1", "password"))


def _rechecksum(body: bytes) -> bytes:
    return body + hashlib.sha256(body).digest()


def test_roundtrip_argon2(fast_kdf: KdfParams) -> None:
    blob, _ = _make(fast_kdf, "pw", b"hello")
    assert _unlock(blob, "pw") == b"hello"
    assert b"hello" not in blob


def test_roundtrip_scrypt() -> None:
    kdf = KdfParams.scrypt(log2_n=10, r=8, p=1)
    blob, _ = _make(kdf, "pw", b"hello")
    assert crypto.parse_file(blob).header.kdf.name == "scrypt"
    assert _unlock(blob, "pw") == b"hello"


def test_kdf_parameters_are_stored_in_the_header(fast_kdf: KdfParams) -> None:
    blob, _ = _make(fast_kdf)
    header = crypto.parse_file(blob).header
    assert (header.kdf.iterations, header.kdf.lanes, header.kdf.memory_kib) == (1, 1, 8)
    assert header.kdf.salt == fast_kdf.salt


def test_default_kdf_is_argon2id_when_available() -> None:
    params = KdfParams.default()
    assert params.name == ("argon2id" if crypto.have_argon2() else "scrypt")
    assert len(params.salt) == crypto.SALT_BYTES
    assert KdfParams.default().salt != params.salt


def test_wrong_password(fast_kdf: KdfParams) -> None:
    blob, _ = _make(fast_kdf, "right")
    with pytest.raises(WrongPassword, match="Wrong password"):
        _unlock(blob, "wrong")


def test_password_is_unicode_normalized(fast_kdf: KdfParams) -> None:
    composed, decomposed = "p\u00e4ss", "pa\u0308ss"
    blob, _ = _make(fast_kdf, composed, b"ok")
    assert _unlock(blob, decomposed) == b"ok"


@pytest.mark.parametrize("keep", [0, 5, 16, 21, 60, -33, -32, -1])
def test_truncated_file_is_corrupt(fast_kdf: KdfParams, keep: int) -> None:
    blob, _ = _make(fast_kdf)
    with pytest.raises(CorruptWalletFile):
        _unlock(blob[:keep], "pw")


def test_flipped_bit_is_caught_by_checksum(fast_kdf: KdfParams) -> None:
    blob, _ = _make(fast_kdf)
    for pos in (0 + 30, len(blob) // 2, len(blob) - 40):
        damaged = bytearray(blob)
        damaged[pos] ^= 0x01
        with pytest.raises(CorruptWalletFile):
            _unlock(bytes(damaged), "pw")


def test_tampered_payload_with_fixed_checksum_is_corrupt_not_wrong_password(
    fast_kdf: KdfParams,
) -> None:
    blob, _ = _make(fast_kdf)
    body = bytearray(blob[:-32])
    body[-5] ^= 0x80
    with pytest.raises(CorruptWalletFile, match="changed outside FluxDesk"):
        _unlock(_rechecksum(bytes(body)), "pw")


def test_tampered_header_invalidates_payload(fast_kdf: KdfParams) -> None:
    """The header is associated data: swapping the payload nonce breaks decryption."""
    blob, data_key = _make(fast_kdf)
    sealed = crypto.parse_file(blob)
    forged = Header(
        "w1", sealed.header.kdf, sealed.header.password_wrap, None, crypto.new_nonce()
    ).to_bytes()
    prefix = crypto.MAGIC + struct.pack(">BI", 1, len(forged)) + forged
    with pytest.raises(CorruptWalletFile):
        crypto.parse_file(_rechecksum(prefix + sealed.ciphertext)).open(data_key)


def _with_header(blob: bytes, mutate) -> bytes:
    sealed = crypto.parse_file(blob)
    data = json.loads(sealed.header.to_bytes())
    mutate(data)
    raw = json.dumps(data).encode()
    prefix = crypto.MAGIC + struct.pack(">BI", 1, len(raw)) + raw
    return _rechecksum(prefix + sealed.ciphertext)


def test_absurd_kdf_parameters_are_refused_before_deriving(fast_kdf: KdfParams) -> None:
    blob, _ = _make(fast_kdf)
    huge = _with_header(blob, lambda d: d["kdf"].update(memory_kib=1 << 40))
    with pytest.raises(CorruptWalletFile, match="out of range"):
        crypto.parse_file(huge)


def test_unknown_kdf_is_unsupported(fast_kdf: KdfParams) -> None:
    blob, _ = _make(fast_kdf)
    other = _with_header(blob, lambda d: d["kdf"].update(name="balloon"))
    with pytest.raises(UnsupportedWalletFile, match="newer FluxDesk"):
        crypto.parse_file(other)


def test_damaged_header_json(fast_kdf: KdfParams) -> None:
    blob, _ = _make(fast_kdf)
    for mutate in (
        lambda d: d.pop("wallet_id"),
        lambda d: d.update(payload_nonce="!!"),
        lambda d: d.update(kdf=[]),
        lambda d: d["kdf"].update(iterations=True),
        lambda d: d.update(password_wrap={"nonce": 5}),
    ):
        with pytest.raises(CorruptWalletFile):
            crypto.parse_file(_with_header(blob, mutate))


def test_newer_format_and_foreign_files(fast_kdf: KdfParams) -> None:
    blob, _ = _make(fast_kdf)
    newer = bytearray(blob[:-32])
    newer[len(crypto.MAGIC)] = crypto.FORMAT_VERSION + 1
    with pytest.raises(UnsupportedWalletFile, match="Update FluxDesk"):
        crypto.parse_file(_rechecksum(bytes(newer)))
    with pytest.raises(UnsupportedWalletFile, match="not a FluxDesk wallet"):
        crypto.parse_file(b'{"seed": "electrum wallet"}')


def test_device_wrap_wrong_key_message() -> None:
    wrapped = crypto.wrap_key(b"k" * 32, b"a" * 32, "w1", "device")
    with pytest.raises(WrongPassword, match="remembered on this device"):
        crypto.unwrap_key(wrapped, b"b" * 32, "w1", "device")
    # A wrap is bound to its wallet id and purpose.
    with pytest.raises(WrongPassword):
        crypto.unwrap_key(wrapped, b"a" * 32, "w2", "device")
    assert crypto.unwrap_key(wrapped, b"a" * 32, "w1", "device") == b"k" * 32


@pytest.mark.parametrize("raw", [b'{"wallet_id": 1' + b"0" * 5000 + b"}", b"[" * 100_000, b"\xff"])
def test_header_with_unreadable_json_is_corrupt(raw: bytes) -> None:
    with pytest.raises(CorruptWalletFile, match="header is damaged"):
        Header.from_bytes(raw)


@pytest.mark.parametrize(
    "settings",
    [
        {"name": "argon2id", "iterations": 64, "lanes": 4, "memory_kib": 64 * 1024},
        {"name": "argon2id", "iterations": 3, "lanes": 4, "memory_kib": 4 * 1024 * 1024},
        {"name": "argon2id", "iterations": 17, "lanes": 1, "memory_kib": 8},
        {"name": "scrypt", "log2_n": 22, "r": 32, "p": 16},
        {"name": "scrypt", "log2_n": 20, "r": 16, "p": 1},
    ],
)
def test_kdf_settings_beyond_1_gib_or_16_passes_are_refused(settings: dict[str, object]) -> None:
    data = {**settings, "salt": "AAAAAAAAAAAAAAAAAAAAAA=="}
    with pytest.raises(CorruptWalletFile, match="key settings"):
        KdfParams.from_json(data)


def test_kdf_settings_at_the_bounds_are_accepted() -> None:
    salt = "AAAAAAAAAAAAAAAAAAAAAA=="
    argon = KdfParams.from_json(
        {"name": "argon2id", "salt": salt, "iterations": 16, "lanes": 4, "memory_kib": 1 << 20}
    )
    assert (argon.iterations, argon.memory_kib) == (16, 1 << 20)
    scrypt = KdfParams.from_json({"name": "scrypt", "salt": salt, "log2_n": 20, "r": 8, "p": 16})
    assert (scrypt.log2_n, scrypt.r, scrypt.p) == (20, 8, 16)
