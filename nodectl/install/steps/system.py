"""System preparation: node user, sudo rule, swap, base packages, Docker (multitoolbox option 1
and the first part of option 2)."""

from __future__ import annotations

from nodectl.install import render
from nodectl.install.keys import RepoKey, docker_key, verified_keyring
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
    write,
)

APT_ENV = (("DEBIAN_FRONTEND", "noninteractive"), ("NEEDRESTART_MODE", "a"))

# Official list minus python/python-zmq (gone from Debian 12 / Ubuntu 24.04, which makes the
# official apt call fail there) and g++-multilib (amd64 only); plus distro sysbench 1.0.20,
# the same version the official script fetches by piping packagecloud's script into bash.
BASE_PACKAGES = (
    "nano", "htop", "pwgen", "ufw", "figlet", "tmux", "jq", "zip", "gzip", "pv", "unzip", "git",
    "build-essential", "libtool", "pkg-config", "libc6-dev", "m4", "autoconf", "ncurses-dev",
    "wget", "curl", "bc", "bsdmainutils", "automake", "fail2ban", "dirmngr", "ca-certificates",
    "cron", "sysbench", "sudo", "psmisc",
)


def apt_install(packages: tuple[str, ...], fix: str = "") -> Run:
    return Run(("apt-get", "install", "-y", "--no-install-recommends", *packages), env=APT_ENV,
               skip_if=Probe(("dpkg-query", "-W", "-f=${Status}\\n", *packages)),
               fix=fix or "run `sudo apt-get -f install` and `sudo dpkg --configure -a`, "
               "then Retry")


def apt_update() -> Run:
    return Run(("apt-get", "update"), env=APT_ENV,
               fix="check the internet connection and /etc/apt/sources.list.d, then Retry")


def fetch_key(key: RepoKey) -> Custom:
    async def fetch(run: StepRun) -> None:
        source = run.ctx.key_source
        if source is None:
            raise StepFailed("no way to download signing keys", "restart the installer")
        try:
            keyring = await source(key)
        except Exception as exc:
            raise StepFailed(f"could not get the {key.name} signing key: {exc}",
                             "check the internet connection, then Retry") from exc
        await run.ctx.host.write_file(key.keyring, keyring, mode=0o644)

    async def done(run: StepRun) -> bool:
        return await run.ctx.host.exists(key.keyring)

    what = "key id" if len(key.fingerprint) == 16 else "fingerprint"
    return Custom(f"download {key.url}, check its {what} is {key.fingerprint}, "
                  f"write it to {key.keyring}", fetch, done)


def apt_repo(key: RepoKey, list_path: str, list_text: str) -> list[Action]:
    """Pinned signing key, the sources.list.d entry that trusts it, then a fresh package index."""
    return [fetch_key(key), write(list_path, list_text), apt_update()]


def enable_now(unit: str) -> Run:
    return Run(("systemctl", "enable", "--now", unit),
               skip_if=Probe(("systemctl", "is-active", unit)))


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
           "chain, member of the sudo and docker groups (FluxOS runs docker and sudo ufw).")
    weight = 0.2

    def actions(self, ctx: InstallContext) -> list[Action]:
        user = ctx.params.user
        return [
            Run(("useradd", "--create-home", "--shell", "/bin/bash", "--user-group", user),
                skip_if=Probe(("id", "-u", user))),
            Run(("usermod", "--append", "--groups", "sudo", user),
                skip_if=Probe(("id", "-nG", user), contains="sudo")),
        ]


class SudoRule(Step):
    step_id = "sudoers"
    title = "Password-less sudo for the node user"
    why = ("The official script appends `<user> ALL=(ALL) NOPASSWD:ALL` to /etc/sudoers; FluxOS "
           "relies on it for ufw, ip and systemctl. Here the same rule goes into its own "
           "/etc/sudoers.d file that visudo checks first, so a bad edit cannot break sudo.")
    weight = 0.1

    def path(self, ctx: InstallContext) -> str:
        return f"/etc/sudoers.d/90-fluxnode-{ctx.params.user}"

    def actions(self, ctx: InstallContext) -> list[Action]:
        return [write(self.path(ctx), render.sudoers_rule(ctx.params), mode=0o440)]

    def undo(self, ctx: InstallContext) -> list[Action]:
        return [Remove(self.path(ctx))]


class Swap(Step):
    step_id = "swap"
    title = "Swap file"
    why = ("Same size rule as the official installer (RAM < 2 GB: twice RAM; up to 16 GB: "
           "4 GB; up to 32 GB: 2 GB; none above). Each command is guarded so a rerun after "
           "an interruption does not reformat an active swap file.")
    weight = 0.3

    def actions(self, ctx: InstallContext) -> list[Action]:
        size = render.swap_size_mib(ctx.facts.ram_mib)
        active = Probe(("swapon", "--show=NAME", "--noheadings"), contains="/swapfile")
        return [
            Run(("fallocate", "-l", f"{size}M", "/swapfile"), skip_if_exists=("/swapfile",)),
            Run(("chmod", "600", "/swapfile")),
            Run(("mkswap", "/swapfile"), skip_if=active),
            Run(("swapon", "/swapfile"), skip_if=active),
            AppendLine("/etc/fstab", render.swap_fstab_line()),
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
        f = ctx.facts
        key = docker_key(f.distro)
        return [
            *apt_repo(key, "/etc/apt/sources.list.d/docker.list",
                      render.docker_apt_list(f.arch, f.distro, f.codename)),
            apt_install(("docker-ce", "docker-ce-cli", "containerd.io")),
            Run(("usermod", "--append", "--groups", "docker", ctx.params.user),
                skip_if=Probe(("id", "-nG", ctx.params.user), contains="docker")),
            enable_now("docker"),
        ]
