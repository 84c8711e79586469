"""The wallet password rule, shared by the CLI and the GUI: a rough strength estimate."""

from __future__ import annotations

_COMMON = frozenset(
    {"password", "passw0rd", "12345678", "123456789", "1234567890", "qwertyuiop", "iloveyou",
     "letmein1", "welcome1", "admin123", "flux1234", "fluxnode", "11111111", "00000000"}
)
STRENGTH_LABELS = ("very weak", "weak", "fair", "good", "strong")
MIN_PASSWORD = 8


def password_feedback(password: str) -> tuple[int, str, bool]:
    """(strength 0–4, a sentence, acceptable?) — a rough estimate, it never sees a dictionary.

    Length counts most: every class of characters adds some, and a well-known password or one
    made of a single repeated character is always very weak.
    """
    if not password:
        return 0, "Choose a password that protects the wallet file on this computer.", False
    if len(password) < MIN_PASSWORD:
        return 0, f"Use at least {MIN_PASSWORD} characters.", False
    if password.lower() in _COMMON or len(set(password)) <= 2:
        return 0, "This password is too easy to guess.", False
    classes = sum(
        any(test(c) for c in password)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    score = min(4, (len(password) - MIN_PASSWORD) // 4 + classes)
    if len(password) >= 16:
        score = max(score, 3)
    label = STRENGTH_LABELS[score]
    if score < 2:
        return score, f"Strength: {label}. Make it longer or mix in digits and symbols.", False
    return score, f"Strength: {label}.", True
