"""Reading flux.conf back: is it exactly what the installer rendered?

flux.fluxconf.entries reads it the way fluxd does. Several keys make fluxd run a shell command
as the node user (who may sudo), so a flux.conf that holds one the installer did not write is
an attack, not a setting.
Messages name keys only: values include the identity key and the RPC password.
"""

from __future__ import annotations

from collections import Counter

from flux.fluxconf import entries

# fluxd options that run a command (RunOnFlux/fluxd src/init.cpp, src/main.cpp,
# src/wallet/wallet.cpp) or that point fluxd at other files or folders.
COMMAND_KEYS = ("blocknotify", "walletnotify", "alertnotify")
REDIRECT_KEYS = ("conf", "datadir", "includeconf", "pid", "wallet", "loadblock")


def command_keys(text: str) -> list[str]:
    """Keys in ``text`` that make fluxd run a command or read another file (sorted)."""
    names = {key.rsplit(".", 1)[-1] for key, _ in entries(text)}
    return sorted(names & {*COMMAND_KEYS, *REDIRECT_KEYS})


def differences(actual: str, rendered: str) -> list[str]:
    """Plain-language differences between flux.conf on disk and what was rendered (keys only).

    Empty when every key=value pair is the same, counted with repeats (addnode, rpcallowip).
    """
    have, want = Counter(entries(actual)), Counter(entries(rendered))
    if have == want:
        return []
    wanted_keys = {key for key, _ in want}
    problems = [f"{key}= runs a command or reads another file and the installer did not "
                "write it" for key in command_keys(actual) if key not in wanted_keys]
    extra = sorted({key for key, _ in have - want if key not in wanted_keys} -
                   set(command_keys(actual)))
    changed = sorted({key for key, _ in (have - want) + (want - have) if key in wanted_keys})
    if extra:
        problems.append("keys the installer did not write: " + ", ".join(extra))
    if changed:
        problems.append("keys with other values or counts than rendered: " + ", ".join(changed))
    return problems
