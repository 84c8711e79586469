"""`fluxdesk node status|alerts test`, and the look `node doctor` shares (app/commands/
node_doctor.py): the node monitor from a terminal.

``status`` only looks: it polls once and prints, without touching the alert history the GUI
keeps (so a look from the terminal never swallows an alert). With no node installed, or nothing
answering, it says so and exits 0. ``--json`` prints one document; failures are CommandFailed
(``{"error": {"kind", "message"}}`` with --json). With ``--password-file`` the wallet is opened
to compare its Flux ID with the node's owner; without it the doctor says it did not compare.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import enum
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.failure import EXIT_USAGE, CommandFailed
from app.commands.wallet import CliError, ask_password
from app.monitor_config import (
    AlertSecrets,
    BadNodeAddress,
    load_monitor_settings,
    normalise_address,
)
from app.monitor_wallet import WalletFluxId, cli_wallet_flux_id
from app.monitor_wiring import (
    FluxConfError,
    alert_channels,
    find_local_node,
    local_watch,
    remote_watch,
)
from app.paths import DEFAULT_WALLET
from nodectl.monitor.actions import manual_step
from nodectl.monitor.alerts.channels import send_test_alert
from nodectl.monitor.dashboard import Dashboard, Level, build
from nodectl.monitor.doctor import Finding, Unchecked, diagnose, unchecked
from nodectl.monitor.errors import MonitorError
from nodectl.monitor.snapshot import Snapshot
from nodectl.monitor.summary import headline
from nodectl.monitor.target import WatchedNode
from wallet.errors import WalletError

if TYPE_CHECKING:
    from app.context import AppContext

NO_NODE = ("No FluxNode is installed on this machine (no flux.conf was found and FluxDesk's "
           "installer has not run here). Install one with 'fluxdesk node install', or watch a "
           "remote node with --node IP[:PORT].")
_MARK = {Level.OK: "ok  ", Level.WARN: "warn", Level.BAD: "BAD ", Level.UNKNOWN: "?   "}


def add_wallet_options(parser: argparse.ArgumentParser) -> None:
    """--wallet and --password-file: the wallet whose Flux ID the doctor compares."""
    parser.add_argument("--wallet", default=DEFAULT_WALLET, metavar="NAME",
                        help="the wallet whose Flux ID is compared with the node's owner")
    parser.add_argument("--password-file", type=Path, metavar="FILE",
                        help="open the wallet with the password in FILE, to compare its Flux "
                        "ID with the node's owner (without it the Flux ID is not compared)")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    status = sub.add_parser("status", help="how the node is doing, in words (one poll)")
    status.add_argument("--node", metavar="IP[:PORT]",
                        help="a remote node's FluxOS API instead of this machine's node")
    status.add_argument("--json", action="store_true", help="print one JSON document")
    add_wallet_options(status)
    status.set_defaults(handler=run_status)
    alerts = sub.add_parser("alerts", help="Telegram / Discord alerts")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    test = alerts_sub.add_parser("test", help="send a test alert to every channel set up")
    test.add_argument("--json", action="store_true", help="print one JSON document")
    test.set_defaults(handler=run_alerts_test)


def jsonable(value: Any) -> Any:
    """Dataclasses, enums and tuples as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in (sorted(value) if isinstance(value, set | frozenset)
                                      else value)]
    if isinstance(value, MonitorError):
        return {"kind": value.kind, "message": value.message, "next_step": value.next_step}
    return value


def emit(doc: Mapping[str, Any]) -> None:
    json.dump(jsonable(doc), sys.stdout, indent=2, ensure_ascii=False)
    print()


def guarded(work: Any) -> int:
    """Run a command's coroutine; a wallet that will not open is a plain failure."""
    try:
        return int(asyncio.run(work))
    except (CliError, WalletError) as exc:
        raise CommandFailed("wallet", str(exc)) from None
    except BrokenPipeError:
        raise  # app.main: the reader has gone (exit 141)
    except OSError as exc:  # the password file
        raise CommandFailed("io_error", f"{exc.strerror or exc}: {exc.filename or ''}") from None


def target_of(args: argparse.Namespace, ctx: AppContext) -> WatchedNode | None:
    ms = load_monitor_settings(ctx.settings.node_monitor)
    if getattr(args, "node", None):
        try:
            address = normalise_address(args.node)
        except BadNodeAddress as exc:
            raise CommandFailed("bad_input", str(exc), EXIT_USAGE) from None
        return remote_watch(address, ctx.data_dir)
    try:
        node = find_local_node(ms, ctx.data_dir)
    except FluxConfError as exc:
        raise CommandFailed("flux_conf", str(exc)) from None
    return None if node is None else local_watch(node, ctx.data_dir)


async def wallet_flux_id(args: argparse.Namespace, ctx: AppContext) -> WalletFluxId:
    """Only with --password-file: a look never prompts for the wallet's password."""
    from app.services import Services

    password = ask_password(args) if args.password_file else None
    return await cli_wallet_flux_id(Services(ctx), args.wallet, password)


def say_no_node(args: argparse.Namespace) -> int:
    """No node here: said in words (or JSON), and that is not an error (exit 0)."""
    if args.json:
        emit({"installed": False, "message": NO_NODE})
    else:
        print(NO_NODE)
    return 0


def answering(snap: Snapshot) -> bool:
    return any(x is not None for x in (snap.chain, snap.node, snap.fluxos_version,
                                       snap.bench_status))


@dataclass(frozen=True)
class Look:
    snapshot: Snapshot
    board: Dashboard
    findings: list[Finding]
    unchecked: list[Unchecked]


async def look(target: WatchedNode, known: WalletFluxId) -> Look:
    """One poll of ``target`` with the wallet's Flux ID in its context; closes its clients."""
    known.apply_to([target])
    try:
        snap = await target.watch.probe.snapshot()
    finally:
        await target.close()
    context = target.context
    return Look(snap, build(snap, context, policy=target.watch.policy),
                diagnose(snap, context, target.watch.policy), unchecked(snap, context))


def silent_words(target: WatchedNode, snap: Snapshot) -> str:
    reasons = "; ".join(f"{name}: {err}" for name, err in sorted(snap.errors.items()))
    return f"No FluxNode answers at {target.address} ({target.label}). {reasons}"


def node_doc(target: WatchedNode) -> dict[str, Any]:
    return {"key": target.key, "label": target.label, "address": target.address,
            "note": target.note}


def finding_doc(finding: Finding, target: WatchedNode) -> dict[str, Any]:
    step = manual_step(finding.action, target.context) if finding.action else None
    remote = not target.is_local
    return {**jsonable(finding), "command": None if step is None or remote else step.command,
            "needs_root": None if step is None or remote else step.needs_root}


async def _status(args: argparse.Namespace, ctx: AppContext) -> int:
    target = target_of(args, ctx)
    if target is None:
        return say_no_node(args)
    seen = await look(target, await wallet_flux_id(args, ctx))
    snap, board, findings = seen.snapshot, seen.board, seen.findings
    if not answering(snap):
        words = silent_words(target, snap)
        if args.json:
            emit({"installed": True, "answering": False, "node": node_doc(target),
                  "message": words, "sources": snap.errors})
        else:
            print(words)
        return 0
    if args.json:
        level, words = headline(board, findings)
        emit({"installed": True, "answering": True, "node": node_doc(target),
              "findings": [finding_doc(f, target) for f in findings],
              "unchecked": seen.unchecked, "headline": {"level": level, "words": words},
              "dashboard": board})
        return 0
    print_dashboard(target, board, findings)
    print()
    print_findings(target, findings, seen.unchecked)
    return 0


def print_dashboard(target: WatchedNode, board: Dashboard, findings: list[Finding]) -> None:
    print(f"FluxNode {target.label} ({target.address})")
    print(headline(board, findings)[1])
    if target.note:
        print(f"  note: {target.note}")
    rows: list[tuple[str, Level, str]] = [
        ("Sync", board.sync.level, board.sync.words),
        ("State", board.state.level, board.state.words),
    ]
    if board.confirm is not None:
        rows.append(("Confirmation", board.confirm.level, board.confirm.words))
    if board.payout is not None:
        rows.append(("Payout", Level.OK, board.payout.words))
    rows.append(("Benchmark", board.bench.level, board.bench.words))
    for version in board.versions:
        rows.append((version.component, version.level,
                     f"{version.installed or 'unknown'} (FluxOS needs {version.minimum} or "
                     "newer)"))
    ip_level = Level.OK if board.ip_changes_20h < 2 else Level.BAD
    rows.append(("Public IP", ip_level if board.public_ip else Level.UNKNOWN,
                 f"{board.public_ip or 'unknown'} ({board.ip_changes_20h} changes in 20 h)"))
    rows += [("Clock", *board.clock), ("Watchdog", *board.watchdog), ("Flux ID", *board.flux_id)]
    for title, level, words in rows:
        print(f"  [{_MARK[level]}] {title + ':':14} {words}")
    for name, why in board.silent:
        print(f"  silent: {name}: {why}")


def print_findings(target: WatchedNode, findings: list[Finding],
                   not_checked: list[Unchecked]) -> None:
    if not findings:
        print("Doctor: nothing wrong found.")
    else:
        print(f"Doctor: {len(findings)} finding(s)")
    for finding in findings:
        print(f"  [{finding.severity}] {finding.cause}")
        print(f"        next: {finding.next_step}")
        doc = finding_doc(finding, target)
        if doc["command"]:
            who = "as root" if doc["needs_root"] else "as the node user"
            print(f"        run ({who}): {doc['command']}")
    for item in not_checked:
        print(f"  [not checked] {item.why}" + (f" {item.next_step}" if item.next_step else ""))


def run_status(args: argparse.Namespace, ctx: AppContext) -> int:
    return guarded(_status(args, ctx))


async def _alerts_test(args: argparse.Namespace, ctx: AppContext) -> int:
    ms = load_monitor_settings(ctx.settings.node_monitor)
    secrets = AlertSecrets()
    try:
        await secrets.load()
    except MonitorError as exc:
        raise CommandFailed(exc.kind, str(exc)) from None
    channels = alert_channels(ms, secrets)
    if not channels:
        raise CommandFailed("not_configured", "No alert channel is set up. Enter a Telegram bot "
                         "token and chat id, or a Discord webhook, in Local node → Alerts.")
    try:
        node = find_local_node(ms, ctx.data_dir)
    except FluxConfError:
        node = None
    label = ms.label or (node.label if node else "FluxDesk")
    try:
        results = await send_test_alert(channels, label)
    finally:
        for channel in channels:
            await channel.close()
    if args.json:
        emit({"delivered": {name: err is None for name, err in results.items()},
               "errors": {name: {"kind": err.kind, "message": str(err)}
                          for name, err in results.items() if err is not None}})
    else:
        for name, err in results.items():
            print(f"{name}: " + ("test alert delivered." if err is None else f"not delivered: "
                                 f"{err}"))
    return 0 if all(err is None for err in results.values()) else 1


def run_alerts_test(args: argparse.Namespace, ctx: AppContext) -> int:
    return guarded(_alerts_test(args, ctx))
