"""BIP39 seed phrases: word list, vectors, checksum, normalisation, typo suggestions."""

import contextlib
import hashlib
import json
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.paths import VECTORS_DIR
from wallet.bip39 import (
    ENGLISH_WORDLIST_SHA256,
    UnknownMnemonicWord,
    english_wordlist,
    entropy_to_mnemonic,
    generate_mnemonic,
    is_valid_mnemonic,
    mnemonic_to_entropy,
    mnemonic_to_seed,
    normalize_mnemonic,
    suggest_words,
    validate_mnemonic,
)
from wallet.errors import InvalidMnemonic, WalletError
from wallet.hd import mnemonic_to_seed as hd_mnemonic_to_seed

VECTORS = json.loads((VECTORS_DIR / "flux-keys-addresses-messages.json").read_text())
SSP = VECTORS["bip39_bip32_ssp_PUBLISHED"]

# Reference vectors published with BIP39 (trezor/python-mnemonic vectors.json, passphrase "TREZOR").
BIP39_REFERENCE = [
    (
        "00000000000000000000000000000000",
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
        "about",
        "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92"
        "f2cf141630c7a3c4ab7c81b2f001698e7463b04",
    ),
    (
        "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
        "legal winner thank year wave sausage worth useful legal winner thank yellow",
        "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a"
        "1c1069be3a3a5bd381ee6260e8d9739fce1f607",
    ),
    (
        "ffffffffffffffffffffffffffffffff",
        "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
        "ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f"
        "15b11c61dee327651a14c34e18231052e48c069",
    ),
    (
        "9e885d952ad362caeb4efe34a8e91bd2",
        "ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic",
        "274ddc525802f7c828d8ef7ddbcdc5304e87ac3535913611fbbfa986d0c9e5476c91689f9c8a54fd55bd38606"
        "aa6a8595ad213d4c9c9f9aca3fb217069a41028",
    ),
    (
        "ff" * 32,
        " ".join(["zoo"] * 23 + ["vote"]),
        "dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e1613912f0a5b694407be899ffd3"
        "1ed3992c456cdf60f5d4564b8ba3f05a69890ad",
    ),
]


def test_wordlist_file_is_the_published_list():
    data = resources.files("wallet.wordlists").joinpath("english.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == ENGLISH_WORDLIST_SHA256
    words = english_wordlist()
    assert len(words) == 2048 and len(set(words)) == 2048
    assert words[0] == "abandon" and words[-1] == "zoo"
    assert len({w[:4] for w in words}) == 2048  # unique 4-letter prefixes


@pytest.mark.parametrize(("entropy", "mnemonic", "seed"), BIP39_REFERENCE)
def test_bip39_reference_vectors(entropy, mnemonic, seed):
    assert entropy_to_mnemonic(bytes.fromhex(entropy)) == mnemonic
    assert mnemonic_to_entropy(mnemonic).hex() == entropy
    assert mnemonic_to_seed(mnemonic, "TREZOR").hex() == seed


def test_ssp_mnemonic_is_valid_24_words():
    assert validate_mnemonic(SSP["mnemonic"]) == SSP["mnemonic"]
    assert len(mnemonic_to_entropy(SSP["mnemonic"])) == 32


def test_hd_reexports_mnemonic_to_seed():
    assert hd_mnemonic_to_seed is mnemonic_to_seed
    assert len(hd_mnemonic_to_seed(SSP["mnemonic"])) == 64


def test_normalisation_case_whitespace_and_nfkd():
    messy = "  " + SSP["mnemonic"].upper().replace(" ", " \n\t ") + " \u3000"
    assert normalize_mnemonic(messy) == SSP["mnemonic"]
    assert mnemonic_to_seed(messy) == mnemonic_to_seed(SSP["mnemonic"])
    # NFKD makes a composed and a decomposed passphrase give the same seed (BIP39 rule).
    assert mnemonic_to_seed(SSP["mnemonic"], "caf\u00e9") == mnemonic_to_seed(
        SSP["mnemonic"], "cafe\u0301"
    )
    assert mnemonic_to_seed(SSP["mnemonic"], "x") != mnemonic_to_seed(SSP["mnemonic"])


@pytest.mark.parametrize("count", [12, 15, 18, 21, 24])
def test_generate_every_length(count):
    phrase = generate_mnemonic(count)
    assert len(phrase.split()) == count
    assert is_valid_mnemonic(phrase)


def test_generate_is_random_and_rejects_bad_lengths():
    assert generate_mnemonic() != generate_mnemonic()
    assert len(generate_mnemonic().split()) == 24
    with pytest.raises(InvalidMnemonic, match="not 13"):
        generate_mnemonic(13)
    with pytest.raises(InvalidMnemonic):
        entropy_to_mnemonic(b"\x00" * 15)


@settings(max_examples=50)
@given(st.sampled_from([16, 20, 24, 28, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
def test_random_entropy_roundtrips_and_validates(entropy):
    phrase = entropy_to_mnemonic(entropy)
    assert is_valid_mnemonic(phrase)
    assert mnemonic_to_entropy(phrase) == entropy


def test_misspelled_word_is_named_with_suggestions():
    words = SSP["mnemonic"].split()
    words[3] = "crouhc"  # "crouch" with two letters swapped
    with pytest.raises(InvalidMnemonic) as info:
        validate_mnemonic(" ".join(words))
    message = str(info.value)
    assert "Word 4" in message and "'crouhc'" in message
    assert "crouch" in message
    assert isinstance(info.value, UnknownMnemonicWord)
    assert (info.value.position, info.value.word) == (4, "crouhc")
    assert info.value.suggestions[0] == "crouch"


def test_suggestions_use_prefix_and_spelling():
    assert suggest_words("abando")[0] == "abandon"
    assert "receive" in suggest_words("recieve")
    assert suggest_words("qqqqqqq") == []
    assert len(suggest_words("ab", limit=2)) <= 2


def test_checksum_failure_is_explained():
    words = SSP["mnemonic"].split()
    words[0], words[1] = words[1], words[0]
    with pytest.raises(InvalidMnemonic, match="checksum"):
        validate_mnemonic(" ".join(words))
    assert not is_valid_mnemonic("abandon " * 11 + "abandon")


def test_wrong_word_count():
    with pytest.raises(InvalidMnemonic, match="this one has 11"):
        validate_mnemonic("abandon " * 10 + "about")
    with pytest.raises(InvalidMnemonic, match="has 0"):
        mnemonic_to_seed("   ")


def test_seed_without_validation_accepts_any_phrase():
    seed = mnemonic_to_seed("not a bip39 phrase", validate=False)
    assert len(seed) == 64
    with pytest.raises(InvalidMnemonic):
        mnemonic_to_seed("not a bip39 phrase")


@given(st.text(max_size=200))
def test_random_text_raises_only_typed_errors(text):
    with contextlib.suppress(WalletError):
        validate_mnemonic(text)


def test_non_text_is_a_typed_error():
    with pytest.raises(InvalidMnemonic):
        validate_mnemonic(12345)  # type: ignore[arg-type]
    with pytest.raises(InvalidMnemonic):
        mnemonic_to_seed(SSP["mnemonic"], None)  # type: ignore[arg-type]
