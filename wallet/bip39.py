"""BIP39 seed phrases (English word list): generate, normalise, validate, turn into a seed.

Validation names the first unknown word and offers close words, because a typo is by far the most
common reason a restore fails.
"""

from __future__ import annotations

import difflib
import hashlib
import secrets
import unicodedata
from functools import lru_cache
from importlib import resources

from wallet import wordlists
from wallet.errors import InvalidMnemonic

# The English list published with BIP39; the test suite checks the file against this digest.
ENGLISH_WORDLIST_SHA256 = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
VALID_WORD_COUNTS = (12, 15, 18, 21, 24)
PBKDF2_ROUNDS = 2048


class UnknownMnemonicWord(InvalidMnemonic):
    """A word that is not in the list; carries what a restore screen needs to highlight it.

    The message names the word, as the user must see it to fix it: callers must not log it.
    """

    def __init__(self, position: int, word: str, suggestions: list[str]) -> None:
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Word {position} ({word!r}) is not in the BIP39 English word list.{hint}")
        self.position = position
        self.word = word
        self.suggestions = suggestions


@lru_cache(maxsize=1)
def english_wordlist() -> tuple[str, ...]:
    # A static import of the package (not a name string) lets PyInstaller see and bundle it.
    data = resources.files(wordlists).joinpath("english.txt").read_bytes()
    if hashlib.sha256(data).hexdigest() != ENGLISH_WORDLIST_SHA256:
        raise RuntimeError("wallet/wordlists/english.txt is damaged (sha256 mismatch)")
    words = tuple(data.decode("ascii").split())
    if len(words) != 2048:
        raise RuntimeError("wallet/wordlists/english.txt must hold 2048 words")
    return words


@lru_cache(maxsize=1)
def _word_index() -> dict[str, int]:
    return {word: i for i, word in enumerate(english_wordlist())}


def normalize_mnemonic(text: str) -> str:
    """NFKD, lower case, single spaces: the form that is validated and hashed."""
    if not isinstance(text, str):
        raise InvalidMnemonic("A seed phrase must be text.")
    return " ".join(unicodedata.normalize("NFKD", text).lower().split())


def suggest_words(word: str, limit: int = 3) -> list[str]:
    """Up to `limit` list words close to `word` (same 4-letter prefix first, then spelling)."""
    words = english_wordlist()
    word = word.lower()
    found: list[str] = []
    # BIP39 English words are unique in their first four letters, so a prefix match is strong.
    if len(word) >= 3:
        found = [w for w in words if w.startswith(word[:4])][:limit]
    for match in difflib.get_close_matches(word, words, n=limit, cutoff=0.6):
        if match not in found:
            found.append(match)
    return found[:limit]


def entropy_to_mnemonic(entropy: bytes) -> str:
    """Words for 16, 20, 24, 28 or 32 bytes of entropy (12…24 words)."""
    if len(entropy) not in (16, 20, 24, 28, 32):
        raise InvalidMnemonic("Entropy must be 16, 20, 24, 28 or 32 bytes (12 to 24 words).")
    bits = len(entropy) * 8
    checksum_bits = bits // 32
    checksum = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    value = (int.from_bytes(entropy, "big") << checksum_bits) | checksum
    count = (bits + checksum_bits) // 11
    words = english_wordlist()
    return " ".join(words[(value >> (11 * (count - 1 - i))) & 0x7FF] for i in range(count))


def generate_mnemonic(word_count: int = 24) -> str:
    """A new seed phrase of `word_count` words from the OS CSPRNG."""
    if word_count not in VALID_WORD_COUNTS:
        raise InvalidMnemonic(f"A seed phrase has 12, 15, 18, 21 or 24 words, not {word_count}.")
    return entropy_to_mnemonic(secrets.token_bytes(word_count * 4 // 3))


def mnemonic_to_entropy(mnemonic: str) -> bytes:
    """Entropy of a seed phrase; InvalidMnemonic naming the problem if it is not valid."""
    words = normalize_mnemonic(mnemonic).split()
    if len(words) not in VALID_WORD_COUNTS:
        raise InvalidMnemonic(
            f"A seed phrase has 12, 15, 18, 21 or 24 words; this one has {len(words)}."
        )
    index = _word_index()
    value = 0
    for position, word in enumerate(words, start=1):
        number = index.get(word)
        if number is None:
            raise UnknownMnemonicWord(position, word, suggest_words(word))
        value = (value << 11) | number
    total_bits = len(words) * 11
    checksum_bits = total_bits // 33
    entropy_bits = total_bits - checksum_bits
    entropy = (value >> checksum_bits).to_bytes(entropy_bits // 8, "big")
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    if value & ((1 << checksum_bits) - 1) != expected:
        raise InvalidMnemonic(
            "Every word is valid but the checksum fails: a word is wrong or the order is mixed "
            "up. Check each word against your backup."
        )
    return entropy


def validate_mnemonic(mnemonic: str) -> str:
    """The normalised phrase if valid, else InvalidMnemonic with a plain reason."""
    mnemonic_to_entropy(mnemonic)
    return normalize_mnemonic(mnemonic)


def is_valid_mnemonic(mnemonic: str) -> bool:
    try:
        mnemonic_to_entropy(mnemonic)
    except InvalidMnemonic:
        return False
    return True


def mnemonic_to_seed(mnemonic: str, passphrase: str = "", *, validate: bool = True) -> bytes:
    """64-byte BIP39 seed: PBKDF2-HMAC-SHA512(phrase, "mnemonic" + passphrase, 2048).

    The phrase is checked first (validate=False skips that, for phrases from other word lists).
    """
    if not isinstance(passphrase, str):
        raise InvalidMnemonic("The passphrase must be text.")
    if validate:
        phrase = validate_mnemonic(mnemonic)
    elif isinstance(mnemonic, str):
        phrase = " ".join(unicodedata.normalize("NFKD", mnemonic).split())
    else:
        raise InvalidMnemonic("A seed phrase must be text.")
    salt = "mnemonic" + unicodedata.normalize("NFKD", passphrase)
    return hashlib.pbkdf2_hmac(
        "sha512", phrase.encode("utf-8"), salt.encode("utf-8"), PBKDF2_ROUNDS
    )
