"""First-run wallet wizard as a plain state machine (no Qt): the view only renders its state.

Steps: choose what to do (and the network) → create (show 24 words, then confirm a few) | restore
(phrase with completion and live checksum, optional passphrase) | import a WIF key | watch-only
(xpub or addresses) → password (strength, confirmation, "remember on this device") → finish, which
hands a `NewWallet` to the caller's `create` (the GUI writes it through WalletService: one key
derivation, and the new wallet is open).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from flux.networks import network_by_name, same_encoding
from wallet import bip39
from wallet.errors import BackendError, InvalidAddress, InvalidKey, InvalidMnemonic, WalletError
from wallet.password import password_feedback
from wallet.storage.model import HdSeed, ImportedKeys, WalletDocument, WalletKind, WatchOnly

START, SHOW_WORDS, CONFIRM_WORDS, RESTORE, IMPORT_KEY, WATCH_ONLY, PASSWORD, DONE = (
    "start",
    "show_words",
    "confirm_words",
    "restore",
    "import_key",
    "watch_only",
    "password",
    "done",
)
KINDS = ("create", "restore", "import_key", "watch_only")
_FIRST_STEP = {"create": SHOW_WORDS, "restore": RESTORE, "import_key": IMPORT_KEY,
               "watch_only": WATCH_ONLY}
CONFIRM_COUNT = 4


@dataclass(frozen=True)
class Feedback:
    """What the view shows under an input: ok decides whether Next is enabled."""

    ok: bool
    message: str
    candidates: tuple[str, ...] = ()
    strength: int = 0


class WizardError(ValueError):
    """A step cannot move on; the message says why in plain words."""


@dataclass(frozen=True)
class NewWallet:
    """What the wizard collected; `create` writes it."""

    document: WalletDocument
    password: str = field(repr=False)
    remember: bool = False
    # The Insight server typed for a network without a public explorer ("" = the defaults).
    server: str = ""


# Writes the wallet and returns the sentence the wizard shows at the end.
CreateWallet = Callable[[NewWallet], Awaitable[str]]


class WalletWizard:
    """One run of the first-run wizard. `step` is the current state; next()/back() move."""

    def __init__(
        self,
        create: CreateWallet,
        *,
        network: str = "mainnet",
        networks: Sequence[str] = ("mainnet", "testnet", "regtest"),
        word_count: int = 24,
    ) -> None:
        self._create = create
        self._word_count = word_count
        self.networks = tuple(networks)
        self.network = network
        self.kind = "create"
        self.step = START
        self._history: list[str] = []
        self.words: list[str] = []
        self.confirm_positions: list[int] = []
        self._confirm_answers: dict[int, str] = {}
        self._restore_text = ""
        self.passphrase = ""
        self._wif_text = ""
        self._watch_text = ""
        self._password = ""
        self._password_again = ""
        self.remember = False
        self.wallet_name = "Wallet"
        self.server = ""
        self.done_message = ""

    # --- choices on the first page ---------------------------------------------------------

    def choose_kind(self, kind: str) -> None:
        if kind not in KINDS:
            raise WizardError(f"Unknown choice {kind!r}.")
        self.kind = kind

    def choose_network(self, network: str) -> None:
        if network not in self.networks:
            raise WizardError(f"Unknown network {network!r}.")
        self.network = network

    def needs_server(self) -> bool:
        """Networks without a public explorer (regtest) need the address of the user's own."""
        from wallet.backends.insight import DEFAULT_INSIGHT_SERVERS  # aiohttp: after the window

        return not DEFAULT_INSIGHT_SERVERS.get(self.network)

    def set_server(self, url: str) -> Feedback:
        self.server = url.strip()
        return self.server_feedback()

    def server_feedback(self) -> Feedback:
        if not self.needs_server() and not self.server:
            return Feedback(True, "")
        if not self.server:
            return Feedback(False, f"{self.network.capitalize()} has no public explorer: enter "
                                   "the Insight API address of your own node or simulator.")
        try:
            _normalize(self.server)
        except BackendError as exc:
            return Feedback(False, str(exc))
        return Feedback(True, "")

    # --- create ----------------------------------------------------------------------------

    def set_confirm_word(self, position: int, word: str) -> Feedback:
        self._confirm_answers[position] = word
        return self.confirm_feedback()

    def confirm_feedback(self) -> Feedback:
        wrong = [
            p + 1
            for p in self.confirm_positions
            if bip39.normalize_mnemonic(self._confirm_answers.get(p, "")) != self.words[p]
        ]
        if not wrong:
            return Feedback(True, "All words match. Keep the written copy somewhere safe.")
        filled = [p for p in self.confirm_positions if self._confirm_answers.get(p, "").strip()]
        if len(filled) < len(self.confirm_positions):
            return Feedback(False, "Type the requested words from your written copy.")
        numbers = ", ".join(str(n) for n in wrong)
        return Feedback(False, f"Word {numbers} does not match. Check your written copy.")

    # --- restore ---------------------------------------------------------------------------

    def set_restore_text(self, text: str) -> Feedback:
        self._restore_text = text
        return self.restore_feedback()

    def restore_feedback(self) -> Feedback:
        text = self._restore_text
        words = bip39.normalize_mnemonic(text).split()
        typing_word = bool(text) and not text[-1].isspace() and bool(words)
        candidates: tuple[str, ...] = ()
        if typing_word:
            prefix = words[-1]
            candidates = tuple(w for w in bip39.english_wordlist() if w.startswith(prefix))[:8]
        if not words:
            return Feedback(False, "Type your 12 or 24 words, separated by spaces.")
        known = set(bip39.english_wordlist())
        for position, word in enumerate(words, start=1):
            last = position == len(words)
            if word not in known and not (last and typing_word and candidates):
                suggestions = bip39.suggest_words(word)
                hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
                return Feedback(False, f"Word {position} ({word!r}) is not a seed word.{hint}",
                                candidates)
        if typing_word and words[-1] not in known:
            return Feedback(False, f"{len(words) - 1} words so far; finish word {len(words)}.",
                            candidates)
        if len(words) not in bip39.VALID_WORD_COUNTS:
            return Feedback(False, f"{len(words)} words so far; a seed phrase has 12 or 24.",
                            candidates)
        try:
            bip39.mnemonic_to_entropy(" ".join(words))
        except InvalidMnemonic as exc:
            return Feedback(False, str(exc), candidates)
        return Feedback(True, f"Checksum correct: a valid {len(words)}-word seed phrase.",
                        candidates)

    def complete_word(self, word: str) -> str:
        """Replace the word being typed with `word` (a candidate) and return the new text."""
        head = self._restore_text.rstrip()
        cut = len(head) - len(head.split()[-1]) if head.split() else 0
        self._restore_text = head[:cut] + word + " "
        return self._restore_text

    # --- import key / watch-only ------------------------------------------------------------

    def set_wif_text(self, text: str) -> Feedback:
        self._wif_text = text
        return self.wif_feedback()

    def wif_feedback(self) -> Feedback:
        # Keys (and secp256k1) load when a key is typed in, not with the wizard's page.
        from wallet.keys import PrivateKey

        keys = self._wif_text.split()
        if not keys:
            return Feedback(False, "Paste one private key (WIF) per line.")
        net = network_by_name(self.network)
        for number, text in enumerate(keys, start=1):
            try:
                key = PrivateKey.from_wif(text)
            except InvalidKey as exc:
                return Feedback(False, f"Key {number}: {exc}")
            if key.network is not None and not same_encoding(key.network, net):
                return Feedback(
                    False, f"Key {number} belongs to {key.network.name}, not {self.network}."
                )
        return Feedback(True, f"{len(keys)} key{'s' if len(keys) > 1 else ''} ready to import.")

    def set_watch_text(self, text: str) -> Feedback:
        self._watch_text = text
        return self.watch_feedback()

    def watch_feedback(self) -> Feedback:
        from wallet.address import decode_address_for
        from wallet.hd import HDKey

        items = self._watch_text.split()
        if not items:
            return Feedback(False, "Paste an account xpub, or addresses (one per line).")
        net = network_by_name(self.network)
        if len(items) == 1 and items[0][1:4] == "pub":
            try:
                HDKey.from_extended_key(items[0], net)
            except InvalidKey as exc:
                return Feedback(False, str(exc))
            return Feedback(True, "Account xpub: addresses are found as they are used.")
        for number, text in enumerate(items, start=1):
            try:
                decode_address_for(text, net)
            except (InvalidAddress, WalletError) as exc:
                return Feedback(False, f"Address {number}: {exc}")
        return Feedback(True, f"{len(items)} address{'es' if len(items) > 1 else ''} to watch.")

    # --- password --------------------------------------------------------------------------

    def set_password(self, password: str, again: str) -> Feedback:
        self._password, self._password_again = password, again
        return self.password_feedback()

    def password_feedback(self) -> Feedback:
        strength, message, ok = password_feedback(self._password)
        if ok and not self._password_again:
            return Feedback(False, f"{message} Type it again to confirm.", strength=strength)
        if ok and self._password != self._password_again:
            return Feedback(False, f"{message} The two passwords differ.", strength=strength)
        return Feedback(ok, message, strength=strength)

    # --- moving ----------------------------------------------------------------------------

    def current_feedback(self) -> Feedback:
        match self.step:
            case "start":
                return self.server_feedback()
            case "show_words":
                return Feedback(True, "")
            case "confirm_words":
                return self.confirm_feedback()
            case "restore":
                return self.restore_feedback()
            case "import_key":
                return self.wif_feedback()
            case "watch_only":
                return self.watch_feedback()
            case "password":
                return self.password_feedback()
        return Feedback(False, "The wallet is already created.")

    def can_next(self) -> bool:
        return self.current_feedback().ok

    def can_back(self) -> bool:
        return bool(self._history) and self.step != DONE

    @property
    def is_last_step(self) -> bool:
        return self.step == PASSWORD

    def next(self) -> str:
        """Move on; raises WizardError with the reason when the current step is not complete."""
        feedback = self.current_feedback()
        if not feedback.ok:
            raise WizardError(feedback.message)
        if self.step == PASSWORD:
            raise WizardError("Use finish() on the last step.")
        following = self._following()
        self._history.append(self.step)
        self.step = following
        return self.step

    def _following(self) -> str:
        if self.step == START:
            if self.kind == "create":
                self._new_words()
            return _FIRST_STEP[self.kind]
        if self.step == SHOW_WORDS:
            return CONFIRM_WORDS
        return PASSWORD

    def back(self) -> str:
        if not self.can_back():
            raise WizardError("This is the first step.")
        self.step = self._history.pop()
        return self.step

    def _new_words(self) -> None:
        # A fresh phrase each time "create" is entered, so going back and forth never reuses
        # words someone may have glimpsed earlier.
        self.words = bip39.generate_mnemonic(self._word_count).split()
        picks: set[int] = set()
        while len(picks) < CONFIRM_COUNT:
            picks.add(secrets.randbelow(len(self.words)))
        self.confirm_positions = sorted(picks)
        self._confirm_answers = {}

    def document(self) -> WalletDocument:
        kind: WalletKind
        if self.kind == "create":
            kind = HdSeed(" ".join(self.words))
        elif self.kind == "restore":
            kind = HdSeed(bip39.validate_mnemonic(self._restore_text), self.passphrase)
        elif self.kind == "import_key":
            kind = ImportedKeys(self._wif_text.split())
        else:
            items = self._watch_text.split()
            is_xpub = len(items) == 1 and items[0][1:4] == "pub"
            kind = WatchOnly(items[0] if is_xpub else None, [] if is_xpub else items)
        return WalletDocument(kind=kind, network=self.network, name=self.wallet_name)

    def new_wallet(self) -> NewWallet:
        server = _normalize(self.server) if self.server else ""
        return NewWallet(self.document(), self._password, self.remember, server)

    async def finish(self) -> str:
        """Hand the wallet to `create` (which writes it); returns the closing sentence."""
        if self.step != PASSWORD:
            raise WizardError("Finish the earlier steps first.")
        feedback = self.password_feedback()
        if not feedback.ok:
            raise WizardError(feedback.message)
        new = self.new_wallet()
        self.done_message = await self._create(new)
        self._password = self._password_again = ""
        self.step = DONE
        return self.done_message




def _normalize(url: str) -> str:
    from wallet.backends.insight import normalize_server_url  # aiohttp: after the window

    return normalize_server_url(url)
