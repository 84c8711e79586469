"""`fluxdesk node status|doctor|alerts test`: the node monitor from a terminal.

``status`` and ``doctor`` only look: they poll once and print, without touching the alert
history the GUI keeps (so a look from the terminal never swallows an alert). With no node
installed, or nothing answering, they say so and exit 0. ``--json`` prints one document;
errors are ``{"error": {"kind", "message"}}``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import enum
import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.monitor_config import (
    AlertSecrets,
    BadNodeAddress,
    load_monitor_settings,
    normalise_address,
)
from app.monitor_wiring import (
    FluxConfError,
    alert_channels,
    find_local_node,
    local_watch,
    remote_watch,
)
from nodectl.monitor.actions import manual_step
from nodectl.monitor.alerts.channels import send_test_alert
from nodectl.monitor.dashboard import Dashboard, Level, build
from nodectl.monitor.doctor import Finding, diagnose
from nodectl.monitor.errors import MonitorError
from nodectl.monitor.snapshot import Snapshot
from nodectl.monitor.summary import headline
from nodectl.monitor.target import WatchedNode

if TYPE_CHECKING:
    from app.context import AppContext

NO_NODE = ("No FluxNode is installed on this machine (no flux.conf was found and FluxDesk's "
           "installer has not run here). Install one with 'fluxdesk node install', or watch a "
           "remote node with --node IP[:PORT].")
_MARK = {Level.OK: "ok  ", Level.WARN: "warn", Level.BAD: "BAD ", Level.UNKNOWN: "?   "}


class CliFailure(Exception):
    def __init__(self, kind: str, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.kind, self.message, self.code = kind, message, code


def register(sub: argparse._SubParsersAction[Any]) -> None:
    status = sub.add_parser("status", help="how the node is doing, in words (one poll)")
    status.add_argument("--node", metavar="IP[:PORT]",
                        help="a remote node's FluxOS API instead of this machine's node")
    status.add_argument("--json", action="store_true", help="print one JSON document")
    status.set_defaults(handler=run_status)
    doctor = sub.add_parser("doctor", help="what is wrong, why, and what to do next")
    doctor.add_argument("--node", metavar="IP[:PORT]", help=argparse.SUPPRESS)
    doctor.add_argument("--json", action="store_true", help="print one JSON document")
    doctor.set_defaults(handler=run_doctor)
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


def _emit(doc: Mapping[str, Any]) -> None:
    json.dump(jsonable(doc), sys.stdout, indent=2, ensure_ascii=False)
    print()


def _guarded(args: argparse.Namespace, work: Any) -> int:
    try:
        return int(asyncio.run(work))
    except CliFailure as exc:
        if getattr(args, "json", False):
            _emit({"error": {"kind": exc.kind, "message": exc.message}})
        else:
            print(f"fluxdesk: {exc.message}", file=sys.stderr)
        return exc.code


def _target(args: argparse.Namespace, ctx: AppContext) -> WatchedNode | None:
    ms = load_monitor_settings(ctx.settings.node_monitor)
    if getattr(args, "node", None):
        try:
            address = normalise_address(args.node)
        except BadNodeAddress as exc:
            raise CliFailure("bad_input", str(exc), 2) from None
        return remote_watch(address, ctx.data_dir)
    try:
        node = find_local_node(ms, ctx.data_dir)
    except FluxConfError as exc:
        raise CliFailure("flux_conf", str(exc)) from None
    return None if node is None else local_watch(node, ctx.data_dir)


def answering(snap: Snapshot) -> bool:
    return any(x is not None for x in (snap.chain, snap.node, snap.fluxos_version,
                                       snap.bench_status))


async def _look(target: WatchedNode) -> tuple[Snapshot, Dashboard, list[Finding]]:
    try:
        snap = await target.watch.probe.snapshot()
    finally:
        await target.close()
    context = target.context
    return snap, build(snap, context, policy=target.watch.policy), diagnose(snap, context)


def _silent_words(target: WatchedNode, snap: Snapshot) -> str:
    reasons = "; ".join(f"{name}: {err}" for name, err in sorted(snap.errors.items()))
    return f"No FluxNode answers at {target.address} ({target.label}). {reasons}"


def _node_doc(target: WatchedNode) -> dict[str, Any]:
    return {"key": target.key, "label": target.label, "address": target.address,
            "note": target.note}


def _finding_doc(finding: Finding, target: WatchedNode) -> dict[str, Any]:
    step = manual_step(finding.action, target.context) if finding.action else None
    remote = not target.is_local
    return {**jsonable(finding), "command": None if step is None or remote else step.command,
            "needs_root": None if step is None or remote else step.needs_root}


async def _status(args: argparse.Namespace, ctx: AppContext, doctor: bool) -> int:
    target = _target(args, ctx)
    if target is None:
        if args.json:
            _emit({"installed": False, "message": NO_NODE})
        else:
            print(NO_NODE)
        return 0
    snap, board, findings = await _look(target)
    if not answering(snap):
        words = _silent_words(target, snap)
        if args.json:
            _emit({"installed": True, "answering": False, "node": _node_doc(target),
                   "message": words, "sources": snap.errors})
        else:
            print(words)
        return 0
    if args.json:
        doc: dict[str, Any] = {"installed": True, "answering": True, "node": _node_doc(target),
                               "findings": [_finding_doc(f, target) for f in findings]}
        if not doctor:
            level, words = headline(board, findings)
            doc["headline"] = {"level": level, "words": words}
            doc["dashboard"] = board
        _emit(doc)
        return 0
    if not doctor:
        print_dashboard(target, board, findings)
    print_findings(target, findings, headline=doctor)
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


def print_findings(target: WatchedNode, findings: list[Finding], *, headline: bool) -> None:
    if not findings:
        print("Doctor: nothing wrong found." if headline else "\nDoctor: nothing wrong found.")
        return
    print(("" if headline else "\n") + f"Doctor: {len(findings)} finding(s)")
    for finding in findings:
        print(f"  [{finding.severity}] {finding.cause}")
        print(f"        next: {finding.next_step}")
        doc = _finding_doc(finding, target)
        if doc["command"]:
            who = "as root" if doc["needs_root"] else "as the node user"
            print(f"        run ({who}): {doc['command']}")


def run_status(args: argparse.Namespace, ctx: AppContext) -> int:
    return _guarded(args, _status(args, ctx, doctor=False))


def run_doctor(args: argparse.Namespace, ctx: AppContext) -> int:
    return _guarded(args, _status(args, ctx, doctor=True))


async def _alerts_test(args: argparse.Namespace, ctx: AppContext) -> int:
    ms = load_monitor_settings(ctx.settings.node_monitor)
    secrets = AlertSecrets()
    try:
        await secrets.load()
    except MonitorError as exc:
        raise CliFailure(exc.kind, str(exc)) from None
    channels = alert_channels(ms, secrets)
    if not channels:
        raise CliFailure("not_configured", "No alert channel is set up. Enter a Telegram bot "
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
        _emit({"delivered": {name: err is None for name, err in results.items()},
               "errors": {name: {"kind": err.kind, "message": str(err)}
                          for name, err in results.items() if err is not None}})
    else:
        for name, err in results.items():
            print(f"{name}: " + ("test alert delivered." if err is None else f"not delivered: "
                                 f"{err}"))
    return 0 if all(err is None for err in results.values()) else 1


def run_alerts_test(args: argparse.Namespace, ctx: AppContext) -> int:
    return _guarded(args, _alerts_test(args, ctx))
