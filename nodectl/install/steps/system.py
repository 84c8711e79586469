"""System preparation: node user, sudo rule, swap, base packages, Docker (multitoolbox option 1
and the first part of option 2)."""

from __future__ import annotations

import base64

from nodectl.install import render
from nodectl.install.keys import RepoKey, docker_key, verified_keyring
from nodectl.install.operations import BASE_PACKAGES
from nodectl.install.steps.base import (
    Action,
    AppendLine,
    Custom,
    InstallContext,
    Probe,
    Remove,
    Run,
    Step,
    StepFailed,
    StepRun,
    config,
    op,
    remove_config,
)

__all__ = ["BASE_PACKAGES", "apt_install", "apt_repo", "apt_update", "enable_now",
           "remove_repo"]


def apt_install(packages: tuple[str, ...], fix: str = "") -> Run:
    return Run(op("install_packages", names=packages),
               skip_if=Probe(op("packages_installed", names=packages)),
               fix=fix or "run `sudo apt-get -f install` and `sudo dpkg --configure -a`, "
               "then Retry")


def apt_update() -> Run:
    return Run(op("apt_update"),
               fix="check the internet connection and /etc/apt/sources.list.d, then Retry")


def fetch_key(repo: str, key: RepoKey, distro: str) -> Custom:
    async def fetch(run: StepRun) -> None:
        source = run.ctx.key_source
        if source is None:
            raise StepFailed("no way to download signing keys", "restart the installer")
        try:
            keyring = await source(key)
        except Exception as exc:
            raise StepFailed(f"could not get the {key.name} signing key: {exc}",
                             "check the internet connection, then Retry") from exc
        # The helper checks the pinned fingerprint again before it writes the keyring.
        await run.ctx.host.perform(op("install_keyring", repo=repo, distro=distro,
                                      keyring=base64.b64encode(keyring).decode()))

    async def done(run: StepRun) -> bool:
        return await run.ctx.host.exists(key.keyring)

    what = "key id" if len(key.fingerprint) == 16 else "fingerprint"
    return Custom(f"download {key.url}, check its {what} is {key.fingerprint}, "
                  f"write it to {key.keyring}", fetch, done)


def apt_repo(ctx: InstallContext, repo: str, key: RepoKey) -> list[Action]:
    """Pinned signing key, the sources.list.d entry that trusts it, then a fresh package index."""
    return [fetch_key(repo, key, ctx.facts.distro), config(ctx, f"apt_{repo}"), apt_update()]


def remove_repo(ctx: InstallContext, repo: str, key: RepoKey) -> list[Action]:
    return [remove_config(ctx, f"apt_{repo}"),
            Remove(key.keyring, op("remove_keyring", repo=repo, distro=ctx.facts.distro))]


def enable_now(unit: str) -> Run:
    return Run(op("enable_unit", unit=unit), skip_if=Probe(op("unit_active", unit=unit)))


async def https_key_source(key: RepoKey) -> bytes:
    """Default key source: HTTPS download plus pinned-fingerprint check."""
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session, \
            session.get(key.url) as resp:
        resp.raise_for_status()
        return verified_keyring(key, await resp.read())


class NodeUser(Step):
    step_id = "user"
    title = "Create the node user"
    why = ("Option 1 of the official installer: a normal user that owns fluxd, FluxOS and the "
           "chain, member of the sudo and docker groups (FluxOS runs docker and sudo ufw). "
           "It must be a new or dedicated account: not root, not a service account such as "
           "nobody or www-data, not the desktop user running FluxDesk (it gets password-less "
           "sudo). The helper refuses any other.")
    weight = 0.2

    def actions(self, ctx: InstallContext) -> list[Action]:
        user = ctx.params.user
        return [
            Run(op("create_node_user", user=user)),
            Run(op("add_to_group", user=user, group="sudo"),
                skip_if=Probe(op("user_groups", user=user), contains="sudo")),
        ]


class SudoRule(Step):
    step_id = "sudoers"
    title = "Password-less sudo for the node user"
    why = ("The official script appends `<user> ALL=(ALL) NOPASSWD:ALL` to /etc/sudoers; FluxOS "
           "runs ufw, iptables, systemctl, apt-get, mount, tar, rm and more through sudo, "
           "with arguments that change per app, so no narrower rule keeps FluxOS working "
           "(docs/installer-security.md). The rule goes into its own /etc/sudoers.d file, "
           "rendered by the helper and checked by visudo, and only for a dedicated node user.")
    weight = 0.1

    def actions(self, ctx: InstallContext) -> list[Action]:
        return [config(ctx, "sudoers")]

    def undo(self, ctx: InstallContext) -> list[Action]:
        return [remove_config(ctx, "sudoers")]


class Swap(Step):
    step_id = "swap"
    title = "Swap file"
    why = ("Same size rule as the official installer (RAM < 2 GB: twice RAM; up to 16 GB: "
           "4 GB; up to 32 GB: 2 GB; none above). Each command is guarded so a rerun after "
           "an interruption does not reformat an active swap file.")
    weight = 0.3

    def actions(self, ctx: InstallContext) -> list[Action]:
        size = render.swap_size_mib(ctx.facts.ram_mib)
        active = Probe(op("swap_status"), contains="/swapfile")
        return [
            Run(op("swapfile_create", size_mib=size), skip_if_exists=("/swapfile",)),
            Run(op("swapfile_protect")),
            Run(op("swapfile_format"), skip_if=active),
            Run(op("swapfile_enable"), skip_if=active),
            AppendLine("/etc/fstab", render.swap_fstab_line(), op("append_fstab_swap")),
        ]


class BasePackages(Step):
    step_id = "packages"
    title = "System packages"
    why = ("The official package list, without packages that no longer exist on current "
           "Debian/Ubuntu (python, python-zmq) and with distro sysbench instead of a "
           "curl-piped-to-bash repository script.")
    weight = 4.0

    def actions(self, ctx: InstallContext) -> list[Action]:
        return [apt_update(), apt_install(BASE_PACKAGES)]


class Docker(Step):
    step_id = "docker"
    title = "Docker engine"
    why = ("Option 1 of the official installer: Docker CE from download.docker.com with its "
           "key in /usr/share/keyrings/docker-archive-keyring.gpg (fingerprint pinned here), "
           "node user added to the docker group.")
    weight = 3.0

    def actions(self, ctx: InstallContext) -> list[Action]:
        user = ctx.params.user
        return [
            *apt_repo(ctx, "docker", docker_key(ctx.facts.distro)),
            apt_install(("docker-ce", "docker-ce-cli", "containerd.io")),
            Run(op("add_to_group", user=user, group="docker"),
                skip_if=Probe(op("user_groups", user=user), contains="docker")),
            enable_now("docker"),
        ]
