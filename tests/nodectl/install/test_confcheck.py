"""flux.conf read back the way fluxd parses it (boost config file: comments, sections, spaces)."""

from __future__ import annotations

from flux.fluxconf import entries
from nodectl.install import render
from nodectl.install.confcheck import command_keys, differences
from nodectl.install.params import NodeSecrets, make_params

from .conftest import WIF, param_kwargs

SECRETS = NodeSecrets("user1234", "p" * 20)


def rendered() -> str:
    return render.flux_conf(make_params(**param_kwargs()), SECRETS, WIF)  # type: ignore[arg-type]


def test_parsed_like_fluxd() -> None:
    text = "  rpcuser = a # comment\n#blocknotify=x\n\n[test]\nblocknotify=sh\nlisten\n"
    assert entries(text) == [("rpcuser", "a"), ("test.blocknotify", "sh"), ("test.listen", "")]
    assert command_keys(text) == ["blocknotify"]


def test_rendered_file_passes_and_every_change_is_named_without_values() -> None:
    good = rendered()
    assert differences(good, good) == []
    assert command_keys(good) == []
    cases = {
        good + "blocknotify=/bin/sh -c 'id'\n": "blocknotify",
        good + "walletnotify=touch /tmp/x\n": "walletnotify",
        good + " alertnotify = x\n": "alertnotify",
        good + "includeconf=/tmp/other.conf\n": "includeconf",
        good + "rpcbind=0.0.0.0\n": "rpcbind",
        good.replace("rpcuser=user1234", "rpcuser=attacker"): "rpcuser",
        good.replace(f"zelnodeprivkey={WIF}\n", ""): "zelnodeprivkey",
        good + "addnode=explorer.runonflux.io\n": "addnode",
    }
    for text, key in cases.items():
        problems = differences(text, good)
        assert problems and key in " ".join(problems), key
        assert WIF not in " ".join(problems) and "p" * 20 not in " ".join(problems)


def test_comments_and_spacing_alone_are_no_difference() -> None:
    good = rendered()
    assert differences("# note\n" + good.replace("server=1", "server = 1  # on"), good) == []


def test_tampered_file_gives_no_credentials_to_reuse() -> None:
    good = rendered()
    assert NodeSecrets.from_flux_conf(good) == SECRETS
    assert NodeSecrets.from_flux_conf(good + "blocknotify=sh -c id\n") is None
