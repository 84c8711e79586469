"""Logging: a rotating file in the data dir, Qt messages routed in, secrets masked.

The mask is a last line of defence: code must never log secrets in the first place, but if a seed
phrase, WIF, extended private key or password-like field slips into a message it is replaced before
any handler sees it.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

MASK = "[redacted]"
SEED_MIN_WORDS = 12

# WIF (uncompressed 5…/9…, compressed K…/L…/c…), extended private keys, and `key=value` pairs whose
# key names a secret. Base58 excludes 0, O, I and l.
_B58 = "[1-9A-HJ-NP-Za-km-z]"
# Any key that names a secret, also inside a longer name (rpcpassword, zelnodeprivkey, api_token).
_KEY_NAMES = (
    r"[\w-]*(?:password|passphrase|passwd|privkey|private_?key|secret|seed|mnemonic|token|wif)"
    r"[\w-]*"
)
_SECRET_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # HTTP auth headers: whatever follows "Authorization:" (and its scheme word), and a bare
    # "Basic <base64>" / "Bearer <token>" whose token has a digit or "=" (plain prose has none).
    (
        re.compile(
            r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?(?:(?:basic|bearer|digest|token)\s+)?)"
            r"[^\s\"',;}]+"
        ),
        rf"\1{MASK}",
    ),
    (re.compile(r"\b(Basic|Bearer)(\s+)(?=[\w+/.~-]*[0-9=])[\w+/=.~-]{8,}"), rf"\1\2{MASK}"),
    # Credentials in a URL: scheme://user:password@host.
    (re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:)[^\s/@]+(@)"), rf"\1{MASK}\2"),
    (re.compile(rf"\b[59KLc]{_B58}{{50,51}}\b"), MASK),
    (re.compile(rf"\b[xtuvyz]prv{_B58}{{100,108}}\b"), MASK),
    # key=value, key: value, "key": "value" (JSON or a Python dict), any case.
    (
        re.compile(
            rf"(?i)\b({_KEY_NAMES})([\"']?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;}}\]]+)"
        ),
        rf"\1\2{MASK}",
    ),
    # 64 hex digits named as a key ("private key <hex>", "priv_hex=0x<hex>"); a bare txid, which
    # looks the same, is kept.
    (
        re.compile(r"(?i)\b((?:priv|secret|key)[\w-]*\W{0,3}(?:0x)?)[0-9a-f]{64}\b"),
        rf"\1{MASK}",
    ),
]
_WORD = re.compile(r"[A-Za-z]+")
# What may stand between two words of one written-down seed: spaces and new lines, commas, the
# quotes and brackets of a list, and numbering ("1. abandon 2) ability").
_SEED_GAP = re.compile(r"[\s,;:'\"\[\]().#-]*(?:\d{1,2}[\s.):-]*)?[\s,;:'\"\[\]()-]*")
_MAX_GAP = 12


@lru_cache(maxsize=1)
def _bip39_words() -> frozenset[str]:
    try:
        text = resources.files("wallet").joinpath("wordlists/english.txt").read_text()
    except (FileNotFoundError, ModuleNotFoundError):
        return frozenset()
    return frozenset(text.split())


def _is_seed_gap(gap: str) -> bool:
    return len(gap) <= _MAX_GAP and _SEED_GAP.fullmatch(gap) is not None


def _mask_seed_runs(text: str) -> str:
    words = _bip39_words()
    matches = list(_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []

    def close_run() -> None:
        if len(run) >= SEED_MIN_WORDS:
            spans.append((run[0].start(), run[-1].end()))
        run.clear()

    for m in matches:
        gap = text[run[-1].end() : m.start()] if run else ""
        word = m.group().lower()
        is_word = word in words if words else 3 <= len(word) <= 8
        if is_word and (not run or _is_seed_gap(gap)):
            run.append(m)
        else:
            close_run()
            if is_word:
                run.append(m)
    close_run()
    for start, end in reversed(spans):
        text = text[:start] + MASK + text[end:]
    return text


def mask_secrets(text: str) -> str:
    text = _mask_seed_runs(text)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class SecretMaskFilter(logging.Filter):
    """Rewrites each record's final message with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only the user can read (0600), whatever the umask.

    Rotated copies are renamed from the live file, so they keep its mode.
    """

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        stream = os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)
        assert isinstance(stream, io.TextIOWrapper)
        return stream


def private_log_dir(data_dir: Path) -> Path:
    """The logs folder, 0700, with every file in it 0600 (also those an older version left)."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    log_dir.chmod(0o700)
    for path in log_dir.iterdir():
        if path.is_file() and not path.is_symlink():
            path.chmod(0o600)
    return log_dir


def setup_logging(data_dir: Path, level: int = logging.INFO, console: bool = False) -> Path:
    log_path = private_log_dir(data_dir) / "fluxdesk.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_fluxdesk", False):
            root.removeHandler(handler)
            handler.close()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    file_handler = PrivateRotatingFileHandler(
        log_path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.addFilter(SecretMaskFilter())
        handler._fluxdesk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    return log_path
