import json
import logging
import logging.handlers
import os
import stat

import pytest

from app.logsetup import MASK, mask_secrets, setup_logging

SEED = (
    "abandon ability able about above absent absorb abstract absurd abuse access accident "
    "account accuse achieve acid acoustic acquire across act action actor actress actual"
)
WIF = "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617"
XPRV = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"


@pytest.mark.parametrize(
    "secret",
    [SEED, " ".join(SEED.split()[:12]), WIF, XPRV],
)
def test_secrets_are_masked(secret):
    masked = mask_secrets(f"restored wallet from {secret} ok")
    assert secret not in masked
    assert MASK in masked
    assert masked.startswith("restored wallet from ")


def test_key_value_secrets_are_masked():
    masked = mask_secrets('rpcpassword=hunter2 password: "s3cret pw" token=abc')
    assert "hunter2" not in masked and "s3cret" not in masked and "abc" not in masked


def test_ordinary_text_is_kept():
    txid = "f" * 64
    text = f"broadcast {txid} to 127.0.0.1:16124 with fee 0.0001 FLUX; the node is on the way to confirmed"
    assert mask_secrets(text) == text


def test_log_file_never_holds_a_seed(tmp_path):
    log_path = setup_logging(tmp_path)
    logger = logging.getLogger("fluxdesk.test")
    logger.info("user typed %s", SEED)
    logger.warning("imported %s", WIF)
    try:
        raise ValueError(f"bad seed {SEED}")
    except ValueError:
        logger.exception("restore failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    content = log_path.read_text()
    assert "restore failed" in content
    for word_run in (SEED, " ".join(SEED.split()[:12]), WIF):
        assert word_run not in content


WORDS = SEED.split()[:12]
HEX_KEY = "0c28fca386c7a227600b2fe50b7cae11ec86d3bf1fbe471be89827e19d72aa1d"


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("comma-separated seed", ",".join(WORDS)),
        ("comma-and-space seed", ", ".join(WORDS)),
        ("JSON-list seed", json.dumps(WORDS)),
        ("upper-case seed", " ".join(WORDS).upper()),
        ("capitalised seed", " ".join(w.capitalize() for w in WORDS)),
        ("numbered seed", " ".join(f"{n}. {w}" for n, w in enumerate(WORDS, 1))),
        ("numbered seed, one per line", "\n".join(f"{n}) {w}" for n, w in enumerate(WORDS, 1))),
    ],
)
def test_seed_in_any_layout_is_masked(label: str, text: str) -> None:
    masked = mask_secrets(f"got {text} from the user")
    assert MASK in masked, label
    for word in WORDS:
        assert word not in masked.lower(), (label, word)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('{"password": "hunter2 two"}', "hunter2"),
        ("{'Passphrase': 'correct horse'}", "correct"),
        ('{"rpcpassword":"s3cr3t"}', "s3cr3t"),
        ("PASSWORD=Up-Per", "Up-Per"),
        ("zelnodeprivkey=5JfakeKeyText", "5JfakeKeyText"),
        ("fetching https://alice:pa55word@example.com/api/status", "pa55word"),
        ("rpc at http://fluxrpc:rpc-secret-pw@127.0.0.1:16124/", "rpc-secret-pw"),
        ("Authorization: Basic Zmx1eHJwYzpycGMtc2VjcmV0LXB3", "Zmx1eHJwYzpycGMtc2VjcmV0LXB3"),
        ("headers {'Authorization': 'Basic Zmx1eHJwYzpw'}", "Zmx1eHJwYzpw"),
        ("authorization: bearer abc.def-ghi", "abc.def-ghi"),
        ("sent Basic dXNlcjpwYXNzd29yZA== to the node", "dXNlcjpwYXNzd29yZA=="),
        (f"private key {HEX_KEY}", HEX_KEY),
        (f"priv_hex=0x{HEX_KEY}", HEX_KEY),
        (f"signing with key {HEX_KEY.upper()}", HEX_KEY.upper()),
    ],
)
def test_credentials_and_hex_keys_are_masked(text: str, secret: str) -> None:
    masked = mask_secrets(text)
    assert secret not in masked, masked
    assert MASK in masked


def test_txids_urls_and_wrong_password_messages_are_kept() -> None:
    text = (
        f"tx {HEX_KEY} in block 5; GET https://explorer.runonflux.io/api/tx/{HEX_KEY}; "
        "Wrong password for wallet default; http://127.0.0.1:16124/; basic checks passed; "
        "Basic requirements met; Bearer of news"
    )
    assert mask_secrets(text) == text


def test_log_folder_and_files_are_private(tmp_path) -> None:
    # An older version left a world-readable folder and log behind.
    old_dir = tmp_path / "logs"
    old_dir.mkdir(mode=0o755)
    old_dir.chmod(0o755)
    (old_dir / "fluxdesk.log.1").write_text("old\n")
    (old_dir / "fluxdesk.log.1").chmod(0o644)
    log_path = setup_logging(tmp_path)
    logging.getLogger("fluxdesk.test").info("hello")
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_fluxdesk", False))
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    handler.doRollover()
    logging.getLogger("fluxdesk.test").info("after rollover")
    assert stat.S_IMODE(log_path.parent.stat().st_mode) == 0o700
    files = sorted(log_path.parent.iterdir())
    assert len(files) >= 2
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_new_log_folder_is_private_even_with_a_loose_umask(tmp_path) -> None:
    previous = os.umask(0o022)
    try:
        log_path = setup_logging(tmp_path / "fresh")
        logging.getLogger("fluxdesk.test").info("hello")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(log_path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600
