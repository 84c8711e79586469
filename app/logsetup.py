"""Logging: a rotating file in the data dir, Qt messages routed in, secrets masked.

The mask is a last line of defence: code must never log secrets in the first place, but if a seed
phrase, WIF, extended private key or password-like field slips into a message it is replaced before
any handler sees it.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

MASK = "[redacted]"
SEED_MIN_WORDS = 12

# WIF (uncompressed 5…/9…, compressed K…/L…/c…), extended private keys, and `key=value` pairs whose
# key names a secret. Base58 excludes 0, O, I and l.
_B58 = "[1-9A-HJ-NP-Za-km-z]"
_SECRET_PATTERNS = [
    re.compile(rf"\b[59KLc]{_B58}{{50,51}}\b"),
    re.compile(rf"\b[xtuvyz]prv{_B58}{{100,108}}\b"),
    re.compile(
        r"(?i)\b(password|passphrase|rpcpassword|privkey|private_key|secret|seed|mnemonic|token)"
        r"(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+)"
    ),
]
_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _bip39_words() -> frozenset[str]:
    try:
        text = resources.files("wallet").joinpath("wordlists/english.txt").read_text()
    except (FileNotFoundError, ModuleNotFoundError):
        return frozenset()
    return frozenset(text.split())


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
        is_word = m.group() in words if words else 3 <= len(m.group()) <= 8
        if is_word and (not run or gap.strip() == ""):
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
    text = _SECRET_PATTERNS[0].sub(MASK, text)
    text = _SECRET_PATTERNS[1].sub(MASK, text)
    return _SECRET_PATTERNS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


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


def setup_logging(data_dir: Path, level: int = logging.INFO, console: bool = False) -> Path:
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "fluxdesk.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_fluxdesk", False):
            root.removeHandler(handler)
            handler.close()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(
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
