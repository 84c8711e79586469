"""`fluxdesk node setup`: the one-click flow from a terminal, printing each step, resumable.

The flow (nodesetup/) keeps its state in the data dir: run the same command again after a
stop, a failure (with --retry) or a reboot and it goes on where it was. The wallet password
comes from a prompt or --password-file, never from argv.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.failure import EXIT_CANCELLED, CommandFailed
from app.commands.wallet import CliError, ask_password
from app.paths import PathError
from app.services import Services
from app.setup_wiring import Setup, build_setup
from nodesetup.flow import DONE, FAILED, WAITING, SetupFlow
from nodesetup.model import ORDER, StepView
from nodesetup.ports import CollateralOffer, SetupError
from nodesetup.store import SetupStore
from wallet.amounts import format_amount
from wallet.errors import WalletError
from wallet.service import WalletService

if TYPE_CHECKING:
    from app.context import AppContext

def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "setup", help="one click from FLUX in the wallet to a CONFIRMED node on this machine",
        description="Benchmark, collateral (prepared and maturing while the node installs), "
        "identity key in the wallet, install, sync and fluxbench, health gate, START, "
        "CONFIRMED. Resumable: run it again to go on where it stopped.")
    p.add_argument("--tier", choices=("cumulus", "nimbus", "stratus"),
                   help="collateral tier (default: the highest tier this machine passes)")
    p.add_argument("--yes", action="store_true",
                   help="approve the collateral send-to-self without asking (needed when input "
                   "is not a terminal)")
    p.add_argument("--json", action="store_true", help="print each step view as a JSON line")
    p.add_argument("--retry", action="store_true", help="retry the step that failed last time")
    p.add_argument("--until-wait", action="store_true",
                   help="do what can be done now, show where the setup waits, and exit")
    p.add_argument("--poll", type=float, default=30.0, metavar="S",
                   help="seconds between checks while waiting (default 30)")
    p.add_argument("--wallet", default="default", metavar="NAME", help="wallet file name")
    p.add_argument("--password-file", type=Path, metavar="FILE",
                   help="read the wallet password from FILE")
    p.add_argument("--insight", action="append", metavar="URL",
                   help="Insight API base URL (repeatable)")
    p.add_argument("--user", default="fluxnode", help="node user to create/use (not root)")
    p.add_argument("--ip", help="public IPv4 of this machine (default: looked up)")
    p.set_defaults(handler=run, rpc_conf=None)


def make_ports(
    args: argparse.Namespace, ctx: AppContext, service: WalletService, servers: list[str]
) -> Setup:
    """The real adapters (tests replace this seam to use the simulator and the sandbox)."""
    return build_setup(ctx.data_dir, ctx.network, service, servers, user=args.user,
                       public_ip=args.ip)


def _approver(args: argparse.Namespace) -> Callable[[CollateralOffer], Awaitable[bool]]:
    async def approve(offer: CollateralOffer) -> bool:
        print(f"\nCollateral: send {format_amount(offer.amount)} FLUX to your own address "
              f"{offer.address} in one output.\n  fee {format_amount(offer.fee)} FLUX, change "
              f"{format_amount(offer.change)} FLUX back to this wallet", file=sys.stderr)
        if args.yes:
            return True
        if not sys.stdin.isatty():
            print("Not approved: run again with --yes to send it.", file=sys.stderr)
            return False
        answer = await asyncio.to_thread(input, "Send it? [y/N] ")
        return answer.strip().lower() in ("y", "yes")
    return approve


def _show(view: StepView, as_json: bool) -> None:
    if as_json:
        print(json.dumps(view.as_dict(), sort_keys=True), flush=True)
        return
    number = ORDER.index(view.step) + 1
    head = f"[{number}/{len(ORDER)} {view.title}]"
    if view.status == "working":
        share = f" {view.progress:.0%}" if view.progress is not None else ""
        print(f"{head}{share} {view.waiting_for}", file=sys.stderr, flush=True)
        return
    eta = f" (ETA {view.eta_seconds // 60} min)" if view.eta_seconds else ""
    if view.status == WAITING:
        print(f"{head} waiting for {view.waiting_for}{eta}", flush=True)
    elif view.status != FAILED:
        print(f"{head} {view.status}", flush=True)
    for line in view.detail:
        print(f"    {line}", flush=True)
    if view.failure is not None:
        print(f"{head} FAILED: {view.failure.message}", flush=True)
        for advice in view.failure.advice:
            print(f"    - {advice}", flush=True)
        print("    Run `fluxdesk node setup --retry` once fixed.", flush=True)
    elif view.user_can:
        print(f"    You can: {view.user_can}", flush=True)


async def _run(args: argparse.Namespace, ctx: AppContext) -> int:
    from wallet.backends.insight_servers import normalize_server_url

    insight = [normalize_server_url(url) for url in args.insight or ()]
    services = Services(ctx)
    try:
        service = services.wallet_service(args.wallet)
    except PathError as exc:
        raise CliError(str(exc)) from None
    if not service.store.exists():
        raise CliError("No wallet yet: create or restore one first (`fluxdesk wallet create`).")
    try:
        await service.open(await asyncio.to_thread(ask_password, args))
        await services.connect_wallet(service, insight=insight)
        setup = make_ports(args, ctx, service, services.insight_servers(ctx.network, insight))
    except BaseException:
        await service.close()
        raise
    try:
        return await _drive(args, setup)
    finally:
        await setup.close()


async def _drive(args: argparse.Namespace, setup: Setup) -> int:
    flow = SetupFlow(SetupStore.in_data_dir(setup.data_dir), setup.ports,
                     approve=_approver(args), tier=args.tier)
    if args.retry:
        flow.retry()

    async def wait(view: StepView) -> None:
        if args.until_wait:
            raise _Paused(view)
        await asyncio.sleep(args.poll)

    try:
        final = await flow.run(lambda v: _show(v, args.json), wait)
    except _Paused:
        return 0
    return 0 if final.status == DONE else 1


class _Paused(Exception):
    def __init__(self, view: StepView) -> None:
        super().__init__(view.step)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    try:
        return asyncio.run(_run(args, ctx))
    except (CliError, WalletError, SetupError) as exc:
        ctx.logger.info("node setup stopped: %s", type(exc).__name__)
        raise CommandFailed("setup_failed", str(exc)) from None
    except OSError as exc:
        raise CommandFailed("io_error", f"{exc.strerror or exc}: {exc.filename or ''}") from None
    except (KeyboardInterrupt, EOFError):
        raise CommandFailed(
            "cancelled", "Stopped; run `fluxdesk node setup` again to go on where it was.",
            EXIT_CANCELLED,
        ) from None
