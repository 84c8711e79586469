"""Keys, addresses and message signatures against the official Flux JS libraries (test oracle).

The oracle (tests/wallet/oracle/oracle.js) runs @runonflux/utxo-lib, @runonflux/bitcoinjs-message
and bip39 under node. Install it with `npm ci --prefix tests/wallet/oracle`; without node or those
modules the test is skipped with that instruction. The cases are random but seeded, so a failure
reproduces.
"""

import json
import random
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from flux.networks import MAINNET, TESTNET
from wallet.address import bitcoin_p2pkh_address, p2pkh_address, p2sh_address
from wallet.bip39 import entropy_to_mnemonic, mnemonic_to_seed
from wallet.hd import HARDENED, HDKey
from wallet.keys import CURVE_ORDER, PrivateKey
from wallet.message import MAGICS, sign_message, verify_message
from wallet.script import multisig_script

ORACLE_DIR = Path(__file__).resolve().parent / "oracle"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (ORACLE_DIR / "node_modules" / "@runonflux" / "utxo-lib").is_dir(),
    reason="JS oracle not installed: run `npm ci --prefix tests/wallet/oracle` (needs node + npm)",
)

NETWORKS = {"mainnet": MAINNET, "testnet": TESTNET}


def ask(cases: list[dict]) -> list[dict]:
    assert NODE is not None
    result = subprocess.run(
        [NODE, str(ORACLE_DIR / "oracle.js")],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ORACLE_DIR,
    )
    answers = json.loads(result.stdout)
    assert len(answers) == len(cases)
    for case, answer in zip(cases, answers, strict=True):
        assert "error" not in answer, (case, answer)
    return answers


def random_secret(rng: random.Random) -> bytes:
    return rng.randrange(1, CURVE_ORDER).to_bytes(32, "big")


def random_text(rng: random.Random) -> str:
    alphabet = "abcXYZ 0189\n\t.,:-éü€日本🙂"
    length = rng.choice([0, 1, 10, 80, 252, 253, 300])
    return "".join(rng.choice(alphabet) for _ in range(length))


def test_wif_and_p2pkh_addresses_agree():
    rng = random.Random(1001)
    keys = []
    cases = []
    for i in range(24):
        network = "mainnet" if i % 2 else "testnet"
        key = PrivateKey(random_secret(rng), compressed=i % 3 != 0)
        keys.append((key, network))
        cases.append({"kind": "wif", "wif": key.to_wif(NETWORKS[network]), "network": network})
    for (key, network), answer in zip(keys, ask(cases), strict=True):
        assert answer["address"] == p2pkh_address(key.public_key(), NETWORKS[network])
        assert answer["pubkey"] == key.public_key().hex()
        assert answer["compressed"] is key.compressed
        assert PrivateKey.from_wif(answer["wif"]) == key


def random_path(rng: random.Random) -> str:
    steps = []
    for _ in range(rng.randint(1, 5)):
        index = rng.choice([0, 1, 2, 19167, rng.randrange(HARDENED)])
        steps.append(f"{index}'" if rng.random() < 0.5 else str(index))
    return "m/" + "/".join(steps)


def test_bip32_derivation_agrees():
    rng = random.Random(2002)
    cases, expected = [], []
    for i in range(16):
        network = "mainnet" if i % 2 else "testnet"
        seed = rng.randbytes(rng.choice([16, 32, 64]))
        path = random_path(rng)
        node = HDKey.from_seed(seed, NETWORKS[network]).derive(path)
        cases.append({"kind": "hd", "seed": seed.hex(), "path": path, "network": network})
        expected.append(
            {
                "xprv": node.xprv(),
                "xpub": node.xpub(),
                "address": p2pkh_address(node.public_key, NETWORKS[network]),
            }
        )
    assert ask(cases) == expected


def test_watch_only_derivation_agrees():
    rng = random.Random(3003)
    cases, expected = [], []
    for _ in range(8):
        account = HDKey.from_seed(rng.randbytes(64), MAINNET).derive("m/44'/19167'/0'")
        path = f"{rng.randrange(2)}/{rng.randrange(HARDENED)}"  # utxo-lib: no "m" below depth 0
        node = HDKey.from_extended_key(account.xpub(), MAINNET).derive(path)
        cases.append({"kind": "xpub", "xpub": account.xpub(), "path": path})
        expected.append({"xpub": node.xpub(), "address": p2pkh_address(node.public_key, MAINNET)})
    assert ask(cases) == expected


def test_message_signatures_agree_byte_for_byte():
    rng = random.Random(4004)
    cases, ours = [], []
    for i in range(24):
        key = PrivateKey(random_secret(rng), compressed=i % 4 != 0)
        magic = "Zelcash" if i % 2 else "Bitcoin"
        text = random_text(rng)
        ours.append(sign_message(key, text, magic))
        cases.append(
            {
                "kind": "sign",
                "secret": key.secret.hex(),
                "compressed": key.compressed,
                "message": text,
                "prefix": "\x18" + MAGICS[magic],
            }
        )
    assert [a["signature"] for a in ask(cases)] == ours


def test_bitcoinjs_message_verifies_our_flux_id_signatures():
    rng = random.Random(5005)
    cases = []
    for i in range(10):
        key = PrivateKey(random_secret(rng), compressed=i % 3 != 0)
        text = str(1_700_000_000_000 + i) + random_text(rng)
        address = bitcoin_p2pkh_address(key.public_key())
        signature = sign_message(key, text, "Bitcoin")
        assert verify_message(address, signature, text, "Bitcoin")
        cases.append(
            {
                "kind": "verify_btc",
                "address": address,
                "signature": signature,
                "message": text,
                "prefix": "\x18" + MAGICS["Bitcoin"],
            }
        )
        cases.append({"kind": "btc_address", "pubkey": key.public_key().hex()})
    answers = ask(cases)
    for index in range(0, len(cases), 2):
        assert answers[index] == {"valid": True}
        assert answers[index + 1]["address"] == cases[index]["address"]


def test_p2sh_multisig_addresses_agree():
    rng = random.Random(6006)
    cases, expected = [], []
    for i in range(12):
        network = "mainnet" if i % 2 else "testnet"
        n = rng.randint(1, 5)
        m = rng.randint(1, n)
        keys = [
            PrivateKey(random_secret(rng), compressed=rng.random() < 0.8).public_key()
            for _ in range(n)
        ]
        redeem = multisig_script(m, keys)
        cases.append(
            {"kind": "p2sh", "m": m, "pubkeys": [k.hex() for k in keys], "network": network}
        )
        expected.append(
            {"redeem": redeem.hex(), "address": p2sh_address(redeem, NETWORKS[network])}
        )
    assert ask(cases) == expected


def test_bip39_agrees():
    rng = random.Random(7007)
    cases, expected = [], []
    for _ in range(10):
        entropy = rng.randbytes(rng.choice([16, 20, 24, 28, 32]))
        passphrase = rng.choice(["", "TREZOR", "caf\u00e9 \u65e5\u672c", random_text(rng)])
        words = entropy_to_mnemonic(entropy)
        cases.append({"kind": "mnemonic", "entropy": entropy.hex(), "passphrase": passphrase})
        expected.append({"mnemonic": words, "seed": mnemonic_to_seed(words, passphrase).hex()})
        assert unicodedata.is_normalized("NFC", words)
    assert ask(cases) == expected
