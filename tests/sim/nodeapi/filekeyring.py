"""A keyring backend in one JSON file, so the real ``keyring`` calls run hermetically in tests
(also in a child process: ``PYTHON_KEYRING_BACKEND=tests.sim.nodeapi.filekeyring.FileKeyring``
with ``FLUXDESK_TEST_KEYRING`` naming the file)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from jaraco.classes.properties import classproperty
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV = "FLUXDESK_TEST_KEYRING"
BACKEND = "tests.sim.nodeapi.filekeyring.FileKeyring"


class FileKeyring(KeyringBackend):
    @classproperty
    def priority(cls) -> float:
        # keyring instantiates every viable backend it knows: this one only when a test asks.
        if ENV not in os.environ:
            raise RuntimeError(f"only for tests ({ENV} names the file)")
        return 1.0

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path or Path(os.environ[ENV])

    def _load(self) -> dict[str, str]:
        try:
            doc = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        return doc if isinstance(doc, dict) else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        doc = self._load()
        doc[f"{service}\n{username}"] = password
        self.path.write_text(json.dumps(doc))

    def delete_password(self, service: str, username: str) -> None:
        doc = self._load()
        if doc.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self.path.write_text(json.dumps(doc))
