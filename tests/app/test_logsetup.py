import logging

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
