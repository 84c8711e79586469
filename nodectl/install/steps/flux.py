"""The Flux daemon: apt repository, packages, zk params, flux.conf, chain, zelcash.service."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable

from nodectl.install import confcheck
from nodectl.install.archive import (
    EXTRACT_RESERVE,
    MARKER,
    ArchiveError,
    ExtractSpaceError,
    inspect_archive,
)
from nodectl.install.bootstrap import DiskFull, Downloader, Progress, remove_quietly
from nodectl.install.keys import FLUX_KEY
from nodectl.install.params import BOOTSTRAP_CDNS, BOOTSTRAP_MEMBERS, InstallParams
from nodectl.install.steps.base import (
    Action,
    Custom,
    InstallContext,
    Probe,
    Run,
    Step,
    StepFailed,
    StepRun,
    config,
    op,
    remove_config,
)
from nodectl.install.steps.system import apt_install, apt_repo, enable_now, remove_repo

FLUX_BINARIES = ("fluxd", "flux-cli", "flux-tx", "flux-fetch-params.sh", "fluxbenchd",
                 "fluxbench-cli")
ZK_PARAMS = ("sapling-spend.params", "sapling-output.params", "sprout-groth16.params")


class FluxRepo(Step):
    step_id = "flux-repo"
    title = "Flux apt repository"
    why = ("/etc/apt/sources.list.d/flux.list exactly as the official installer writes it. The "
           "key (id 4B69CA27A986265D) is fetched over HTTPS and its id checked, instead of the "
           "hkp keyserver call the official script retries up to six times.")
    weight = 0.5

    def actions(self, ctx: InstallContext) -> list[Action]:
        return apt_repo(ctx, "flux", FLUX_KEY)

    def undo(self, ctx: InstallContext) -> list[Action]:
        return remove_repo(ctx, "flux", FLUX_KEY)


class FluxPackages(Step):
    step_id = "flux-packages"
    title = "fluxd and fluxbench"
    why = ("apt packages `flux` and `fluxbench` (binaries in /usr/local/bin), then the "
           "official integration check that all six binaries are present.")
    weight = 2.0

    def actions(self, ctx: InstallContext) -> list[Action]:
        async def integration(run: StepRun) -> None:
            missing = [b for b in FLUX_BINARIES
                       if not await run.ctx.host.exists(f"/usr/local/bin/{b}")]
            if missing:
                raise StepFailed("missing after install: " + ", ".join(missing),
                                 "run `sudo apt-get install --reinstall flux fluxbench`")

        return [apt_install(("flux", "fluxbench")),
                Custom("check /usr/local/bin has " + ", ".join(FLUX_BINARIES), integration)]

    def undo(self, ctx: InstallContext) -> list[Action]:
        return [Run(op("purge_packages", names=("flux", "fluxbench")))]


class ZkParams(Step):
    step_id = "zk-params"
    title = "zk-SNARK parameters"
    why = "flux-fetch-params.sh downloads and SHA-256-checks the params into ~/.zcash-params."
    weight = 2.0

    def actions(self, ctx: InstallContext) -> list[Action]:
        home = ctx.params.home
        return [Run(op("fetch_zk_params", user=ctx.params.user),
                    skip_if_exists=tuple(f"{home}/.zcash-params/{p}" for p in ZK_PARAMS),
                    fix="check the internet connection, then Retry (finished files are kept)")]


def flux_dir(p: InstallParams) -> Run:
    """~/.flux, owned by the node user and private, before anything is put into it."""
    return Run(op("make_node_dir", user=p.user, name=".flux"), skip_if_exists=(f"{p.home}/.flux",))


class FluxConf(Step):
    step_id = "flux-conf"
    title = "~/.flux/flux.conf"
    why = ("Same keys and order as the official file: random RPC credentials (kept on reruns "
           "unless the old file holds a notify command), identity key, collateral outpoint, "
           "indexes, externalip. addnode lists only the fixed explorer hosts: the official "
           "random enterprise-node lookup adds a network call and fluxd finds peers on its own. "
           "Written after the chain bootstrap is in place, then read back: it must hold exactly "
           "the rendered keys and values, and no blocknotify/walletnotify/alertnotify.")
    weight = 0.1

    def actions(self, ctx: InstallContext) -> list[Action]:
        p = ctx.params
        path = f"{p.home}/.flux/flux.conf"
        conf = config(ctx, "flux_conf")

        async def read_back(run: StepRun) -> None:
            on_disk = await run.ctx.host.read_text(path)
            if on_disk is None:
                raise StepFailed(f"{path} is missing right after it was written",
                                 "check the disk and the node user's home, then Retry")
            problems = confcheck.differences(on_disk, conf.content)
            if problems:
                raise StepFailed(f"{path} is not what the installer wrote: "
                                 + "; ".join(problems),
                                 "something else on this machine changes flux.conf: find it "
                                 "(it may run commands as the node user), then Retry")

        return [flux_dir(p), conf,
                Custom(f"read {path} back: exactly the rendered keys and values, no "
                       "blocknotify/walletnotify/alertnotify", read_back)]


class ChainBootstrap(Step):
    step_id = "bootstrap"
    title = "Chain bootstrap"
    why = ("Fastest CDN by a short speed test, each host tried over HTTPS first (most offer "
           "only plain HTTP), download with HTTP Range resume and disk-space checks. Flux "
           "publishes no checksum or signature for the bootstrap, so its origin cannot be "
           "proven; instead the whole archive is read (gzip CRC, tar headers) and refused if "
           "it holds anything but plain files and folders under blocks/, chainstate/ and "
           "determ_zelnodes/ (no flux.conf, no links, devices or setuid files). It is "
           "extracted into a staging folder in ~/.flux within the free disk space, the chain "
           "folders are moved into place and a completion marker is written last; the archive "
           "is deleted afterwards. The official script only runs `tar -tf` and extracts "
           "everything straight into ~/.flux.")
    weight = 30.0

    def actions(self, ctx: InstallContext) -> list[Action]:
        p = ctx.params
        cdns = tuple(ctx.options.get("bootstrap_cdns", BOOTSTRAP_CDNS))
        dest = f"{p.home}/.flux"

        async def fetch(run: StepRun) -> None:
            downloader = run.ctx.options.get("downloader")
            if not isinstance(downloader, Downloader):
                raise StepFailed("no downloader configured", "restart the installer")
            archive = run.ctx.host.scratch_dir() / "flux_explorer_bootstrap.tar.gz"

            # Share of the step per phase, so the step's bar only moves forward.
            spans = {"speedtest": (0.0, 0.02), "download": (0.02, 0.8), "check": (0.8, 0.9),
                     "extract": (0.9, 1.0)}

            def fraction(phase: str, done: float, total: float) -> float:
                low, high = spans[phase]
                return low + (high - low) * (done / total if total else 0.0)

            def report(prog: Progress) -> None:
                unit = "bytes" if prog.phase == "download" else "servers"
                run.progress(prog.done, prog.total, unit, prog.message, prog.eta_s,
                             phase=prog.phase, speed=prog.speed_bps,
                             fraction=fraction(prog.phase, prog.done, prog.total))

            try:
                if archive.exists():
                    # Downloaded before an interruption: check it rather than fetch 30+ GB.
                    run.log(f"reusing the downloaded {archive.name}")
                else:
                    url = await downloader.pick_fastest(cdns, report)
                    run.log(f"downloading from {url} " + (
                        "over HTTPS" if url.startswith("https://") else
                        "over plain HTTP (this server offers no HTTPS; no checksum is "
                        "published, so every archive entry is checked instead)"))
                    await downloader.download(url, archive, report)
                loop = asyncio.get_running_loop()

                def sink(phase: str) -> Callable[[int, int], None]:
                    def on_bytes(done: int, total: int) -> None:
                        loop.call_soon_threadsafe(functools.partial(
                            run.progress, done, total, "bytes", phase, None, phase=phase,
                            fraction=fraction(phase, done, total)))
                    return on_bytes

                run.log("checking the whole archive before extracting it")
                manifest = await asyncio.to_thread(inspect_archive, archive, BOOTSTRAP_MEMBERS,
                                                   sink("check"))
                free = await run.ctx.host.disk_free(dest)
                if free - manifest.declared_bytes < EXTRACT_RESERVE:
                    raise DiskFull(
                        f"the chain needs {manifest.declared_bytes / 1e9:.1f} GB in {dest} and "
                        f"{free / 1e9:.1f} GB are free ({EXTRACT_RESERVE / 1e9:.1f} GB are kept "
                        "free); free some space, then Retry (the archive is kept)")
                run.log(f"extracting {manifest.files} files through a staging folder into {dest}")
                await run.ctx.host.perform(
                    op("extract_bootstrap", user=p.user, archive=str(archive)),
                    on_progress=sink("extract"))
                await asyncio.sleep(0)  # deliver the last thread-posted progress first
            except StepFailed:
                raise
            except ExtractSpaceError as exc:
                raise StepFailed(str(exc), "free some disk space, then Retry (the archive is "
                                 "kept, nothing extracted was)") from exc
            except ArchiveError as exc:
                remove_quietly(archive)  # no checksum exists: the only cure is a new download
                raise StepFailed(str(exc), "Retry downloads the bootstrap again") from exc
            except DiskFull as exc:
                raise StepFailed(str(exc), "free some disk space, then Retry") from exc
            except Exception as exc:
                raise StepFailed(str(exc), "Retry resumes the download; a damaged archive is "
                                 "deleted and fetched again") from exc
            remove_quietly(archive)

        async def done(run: StepRun) -> bool:
            # The marker is written after the last folder is in place; folders alone may be
            # what an interrupted extraction left behind.
            host = run.ctx.host
            return all([await host.exists(f"{dest}/{name}")
                        for name in (*BOOTSTRAP_MEMBERS, MARKER)])

        return [flux_dir(p),
                Custom(f"download the chain bootstrap from the fastest of {len(cdns)} CDNs "
                       "(HTTPS where offered; no checksum is published), check every entry, "
                       f"extract blocks/chainstate/determ_zelnodes into {dest} through a "
                       "staging folder, write the completion marker, delete the archive",
                       fetch, done)]


class DaemonService(Step):
    step_id = "zelcash-service"
    title = "zelcash.service"
    why = ("The official unit name, paths and limits, so FluxOS, the watchdog and community "
           "docs (`systemctl restart zelcash`) keep working. The start script only execs fluxd: "
           "the official one also chowns /usr/local/bin and kills processes by name.")
    weight = 0.2

    def actions(self, ctx: InstallContext) -> list[Action]:
        return [
            config(ctx, "start_daemon"),
            config(ctx, "stop_daemon"),
            config(ctx, "zelcash_service"),
            Run(op("systemd_reload")),
        ]

    def undo(self, ctx: InstallContext) -> list[Action]:
        return [Run(op("disable_unit", unit="zelcash.service"),
                    skip_if=Probe(op("unit_enabled", unit="zelcash.service"),
                                  contains="disabled")),
                remove_config(ctx, "zelcash_service"),
                Run(op("systemd_reload"))]


class StartDaemon(Step):
    step_id = "start-daemon"
    title = "Start fluxd"
    why = ("`systemctl enable --now zelcash`, then wait until `flux-cli getinfo` answers, as "
           "the official installer does (it waits up to 30 minutes while the chain loads).")
    weight = 3.0

    def actions(self, ctx: InstallContext) -> list[Action]:
        p = ctx.params
        wait_s = float(ctx.options.get("daemon_wait_s", 1800))
        poll_s = float(ctx.options.get("daemon_poll_s", 10))

        getinfo = op("node_cli", user=p.user, tool="flux-cli", command="getinfo")

        async def wait(run: StepRun) -> None:
            waited = 0.0
            while True:
                result = await run.ctx.host.perform(getinfo, timeout=60)
                if result.ok:
                    return
                if waited >= wait_s:
                    raise StepFailed("fluxd did not answer `flux-cli getinfo`", "look at "
                                     f"{p.home}/.flux/debug.log for the last 'Error:' line",
                                     result.tail)
                run.progress(waited, wait_s, "s", "waiting for fluxd to load the chain")
                await asyncio.sleep(poll_s)
                waited += poll_s

        async def answers(run: StepRun) -> bool:
            result = await run.ctx.host.perform(getinfo, timeout=60)
            return result.ok

        return [enable_now("zelcash.service"),
                Custom("wait until `flux-cli getinfo` answers", wait, answers)]
