"""`fluxdesk node install|uninstall`: the one-click FluxNode installer from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import shlex
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.commands import node_doctor, node_monitor, node_setup, nodes
from app.commands.failure import EXIT_USAGE, CommandFailed
from flux.tiers import TIER_KEYS as TIERS
from nodectl.install import validate as v
from nodectl.install.events import Event, Kind
from nodectl.install.host import LocalHost
from nodectl.install.params import InstallParams, make_params
from nodectl.install.preflight import PublicIp, Report, Status
from nodectl.install.session import InstallSession, Preflight, display_params
from nodectl.install.validate import InvalidInput

if TYPE_CHECKING:
    from app.context import AppContext

KEY_ENV = "FLUXDESK_IDENTITY_KEY"
_MARK = {Status.PASS: "ok  ", Status.WARN: "warn", Status.FAIL: "FAIL"}
# What the person types for each input, so messages name the flag and not an internal field.
FLAG_OF: dict[str, str] = {
    "identity_wif": f"the identity key (--identity-key-stdin or ${KEY_ENV})",
    "identity key": f"the identity key (--identity-key-stdin or ${KEY_ENV})",
    "collateral_txid": "--txid", "collateral txid": "--txid",
    "collateral_index": "--index", "collateral output index": "--index",
    "public_ip": "--ip", "public IP": "--ip",
    "zelid": "--zelid", "Flux ID": "--zelid",
    "node user": "--user", "node label": "--label", "SSH port": "--ssh-port",
    "FluxOS API port": "--api-port", "router IP": "--router-ip", "Kadena address": "--kadena",
}


def _add_inputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", default="fluxnode", help="node user to create/use (not root)")
    p.add_argument("--tier", choices=TIERS, default="cumulus", help="collateral tier")
    p.add_argument("--txid", help="collateral transaction id (64 hex)")
    p.add_argument("--index", help="collateral output index")
    p.add_argument("--zelid", help="Flux ID that administers FluxOS ('1…' or '0x…')")
    p.add_argument("--kadena", default="", help="optional Kadena account (k:…)")
    p.add_argument("--ip", help="public IPv4 (default: looked up)")
    p.add_argument("--api-port", type=int, default=16127, help="FluxOS API port (UPnP set)")
    p.add_argument("--router-ip", default="", help="router IP (needed for a UPnP port)")
    p.add_argument("--ssh-port", type=int, default=22, help="SSH port to keep open in ufw")
    p.add_argument("--label", default="fluxnode", help="watchdog label")
    p.add_argument("--no-swap", action="store_true", help="do not create /swapfile")
    p.add_argument("--identity-key-stdin", action="store_true",
                   help=f"read the identity key (WIF) from stdin (or set {KEY_ENV}); "
                   "it is never accepted as an argument")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    node = subparsers.add_parser("node", help="install and manage a FluxNode on this machine")
    sub = node.add_subparsers(dest="node_command", metavar="ACTION", required=True)
    install = sub.add_parser(
        "install", help="install FluxNode (fluxd, fluxbench, FluxOS) on this Linux machine",
        description="Preflight, then the official legacy install as resumable steps. "
        "--dry-run shows every command and file without changing anything.")
    _add_inputs(install)
    mode = install.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="show preflight and plan only")
    mode.add_argument("--yes", action="store_true", help="run the install for real")
    install.add_argument("--repair", action="store_true",
                         help="with --yes: re-check every step and redo what is missing")
    install.add_argument("--json", action="store_true", help="print one JSON document")
    install.set_defaults(handler=run)
    uninstall = sub.add_parser("uninstall", help="remove services and configs (chain is kept)")
    _add_inputs(uninstall)
    uninstall.add_argument("--yes", action="store_true", required=True,
                           help="confirm the removal")
    uninstall.add_argument("--json", action="store_true", help="print one JSON document")
    uninstall.set_defaults(handler=run, dry_run=False, repair=False)
    node_monitor.register(sub)
    node_doctor.register(sub)
    node_setup.register(sub)
    nodes.register(sub)


def _identity_key(args: argparse.Namespace, needed: bool) -> str | None:
    if args.identity_key_stdin:
        return sys.stdin.readline().strip()
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].strip()
    if needed and sys.stdin.isatty():
        return getpass.getpass("FluxNode identity key (WIF, not shown): ").strip()
    return None


def _values(args: argparse.Namespace, wif: str | None, ip: str | None) -> dict[str, Any]:
    return {"identity_wif": wif, "collateral_txid": args.txid, "collateral_index": args.index,
            "public_ip": ip, "zelid": args.zelid}


def _params(args: argparse.Namespace, ctx: AppContext, values: dict[str, Any],
            ) -> InstallParams:
    return make_params(user=args.user, tier=args.tier, network=ctx.network,
                       kadena=args.kadena, api_port=args.api_port, router_ip=args.router_ip,
                       ssh_port=args.ssh_port, label=args.label, swap=not args.no_swap,
                       **values)


def _check_given(args: argparse.Namespace, ctx: AppContext, values: dict[str, Any]) -> None:
    """Validate what was given even when other inputs are still missing."""
    checks: dict[str, Callable[[Any], object]] = {
        "identity_wif": lambda x: v.validate_wif(x, ctx.network),
        "collateral_txid": v.validate_txid, "collateral_index": v.validate_index,
        "public_ip": lambda x: v.validate_ipv4(x, "public IP"), "zelid": v.validate_zelid}
    for key, value in values.items():
        if value:
            checks[key](value)
    v.validate_user_name(args.user)
    v.validate_api_port(args.api_port)
    v.validate_port(args.ssh_port, "SSH port")
    v.validate_alias(args.label)
    v.validate_kadena(args.kadena)
    if args.router_ip:
        v.validate_ipv4(args.router_ip, "router IP")


def _print_preflight(report: Report, pre: Preflight) -> None:
    verdict = "can install here" if report.ok else "cannot install here"
    print(f"Preflight ({pre.facts.pretty_name or 'unknown OS'}): {verdict}")
    for check in report.checks:
        print(f"  [{_MARK[check.status]}] {check.title}: {check.detail}")
        if check.status is not Status.PASS and check.fix:
            print(f"         fix: {check.fix}")


def _print_plan(plan: dict[str, Any]) -> None:
    print("\nPlan (nothing below has been done; secrets are shown as <placeholders>)")
    for note in plan["notes"]:
        print(f"  note: {note}")
    for number, step in enumerate(plan["steps"], 1):
        who = "administrator rights" if step["root"] else "node user only"
        print(f"\n{number:2}. {step['title']}  [{step['id']}, {who}, {step['state']}]")
        print(f"    why: {step['why']}")
        for item in step["sequence"]:
            _print_action(item)


def _print_action(item: dict[str, Any]) -> None:
    kind = item["kind"]
    if kind == "run":
        print(f"    $ {shlex.join(item['argv'])}   (as {item['as']})")
    elif kind == "other":
        print(f"    * {item['text']}")
    elif kind == "remove":
        print(f"    remove {item['path']}")
    elif kind == "append":
        print(f"    append to {item['path']}: {item['append']}")
    else:
        print(f"    write {item['path']} (mode {item['mode']}, owner {item['owner']})")
        for line in (item.get("diff") or item["content"]).splitlines():
            print(f"      | {line}")


def _printer(as_json: bool) -> Any:
    def show(event: Event) -> None:
        if as_json or event.kind in (Kind.PROGRESS,):
            return
        eta = f" (ETA {event.eta_s / 60:.0f} min)" if event.eta_s else ""
        if event.kind is Kind.STEP_START:
            print(f"[{event.overall:4.0%}] {event.message}{eta}", file=sys.stderr, flush=True)
        elif event.kind in (Kind.STEP_FAILED, Kind.STEP_SKIP, Kind.STEP_DONE):
            print(f"       {event.kind.value}: {event.step_id} {event.message}", file=sys.stderr)
        elif event.kind in (Kind.LOG, Kind.COMMAND):
            print(f"       {event.message}", file=sys.stderr)
    return show


async def _run(args: argparse.Namespace, ctx: AppContext) -> int:
    real = not args.dry_run
    scratch = ctx.data_dir / "node-install" / "downloads"
    # Looking never asks for a password; only the real run starts the privileged helper.
    session = InstallSession(LocalHost(scratch, privileged_reads=False), ctx.data_dir)
    try:
        # Checked before preflight, which would otherwise use it as it is.
        given_ip = PublicIp(v.validate_ipv4(args.ip, "public IP")) if args.ip else None
        pre = await session.preflight(user=args.user, tier=args.tier, api_port=args.api_port,
                                      public_ip=given_ip)
        values = _values(args, _identity_key(args, real), args.ip or pre.public_ip.address)
        missing: list[str] = []
        if real or all(values.values()):
            params = _params(args, ctx, values)
        else:
            shown, missing = display_params(args.user, args.tier, ctx.network, values)
            _check_given(args, ctx, values)
            params = shown
    except InvalidInput as exc:
        raise CommandFailed(
            "bad_input", f"{FLAG_OF.get(exc.field, exc.field)}: {exc.message}", EXIT_USAGE
        ) from None
    if args.dry_run:
        plan = await session.describe(params, pre.facts)
        if args.json:
            json.dump({"dry_run": True, "changed_nothing": True, "host": "local",
                       "preflight": pre.report.as_dict(), "missing_inputs": missing,
                       "plan": plan}, sys.stdout, indent=2)
            print()
        else:
            _print_preflight(pre.report, pre)
            if missing:
                needed = ", ".join(FLAG_OF.get(m, m) for m in missing)
                print(f"\nInputs still needed to run: {needed}")
            _print_plan(plan)
        return 0
    if args.node_command == "install" and not pre.report.ok:
        if not args.json:
            _print_preflight(pre.report, pre)
        raise CommandFailed(
            "preflight_failed", "Preflight failed; nothing was changed. Fix what it lists "
            "(see `fluxdesk node install --dry-run`) and run the command again.",
            details={"preflight": pre.report.as_dict()} if args.json else None)
    mode = "uninstall" if args.node_command == "uninstall" else (
        "repair" if args.repair else "install")
    host = LocalHost(scratch)
    try:
        result = await InstallSession(host, ctx.data_dir).execute(
            params, pre.facts, _printer(args.json), mode)
    finally:
        await host.close()
    if args.json:
        json.dump({"ok": result.ok, "done": result.done, "skipped": result.skipped,
                   "failed_step": result.failed_step, "message": result.message,
                   "fix": result.fix, "tail": result.tail}, sys.stdout, indent=2)
        print()
    elif not result.ok:
        print(f"fluxdesk: step {result.failed_step} failed: {result.message}", file=sys.stderr)
        print("\n".join(result.tail[-15:]), file=sys.stderr)
        print(f"fix: {result.fix}\nthen run the same command again to resume", file=sys.stderr)
    return 0 if result.ok else 1


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    return asyncio.run(_run(args, ctx))
