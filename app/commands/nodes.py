"""`fluxdesk node list|add|remove|start|prepare-collateral|new-identity|import-conf|export-conf|
candidates` and `fluxdesk wallet flux-id|collateral`: collateral staking from a terminal, on
NodeManager (the same one the GUI's Nodes page uses; `start --all` and `prepare-collateral` are
in node_batch.py). Secrets never come from argv: the identity key from
--identity-file, the password from a prompt or --password-file. Every action takes --json;
failures are CommandFailed (JSON error documents with --json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.failure import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_MAYBE_SENT,
    EXIT_USAGE,
    CommandFailed,
)
from app.commands.node_batch import Reported, confirm, prepare_collateral, start_all
from app.commands.wallet import CliError, Wallet, open_wallet, read_secret_file, wallet_options
from app.paths import PathError
from app.services import Services
from wallet.amounts import format_amount
from wallet.errors import (
    BackendError,
    BroadcastRejected,
    BroadcastUncertain,
    InsufficientFunds,
    WalletError,
)
from wallet.nodes.client import NodeListsClient
from wallet.nodes.conf import ConfError
from wallet.nodes.errors import NodeInputError, NodeListError, StartMaybeSent, StartRefused
from wallet.nodes.manager import NodeManager
from wallet.nodes.rewards import RewardEstimate
from wallet.nodes.timing import describe_duration
from wallet.nodes.views import NodeView, parse_outpoint

if TYPE_CHECKING:
    from app.context import AppContext

Action = Callable[[NodeManager, argparse.Namespace], Awaitable[object]]


def _outpoint(text: str) -> tuple[str, int]:
    try:
        return parse_outpoint(text)
    except NodeInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """The staking actions under `fluxdesk node`."""
    common = wallet_options()
    fluxos = argparse.ArgumentParser(add_help=False)
    fluxos.add_argument("--fluxos", metavar="URL",
                        help="a FluxOS API (e.g. http://NODE-IP:16187) to read the node count "
                        "per tier from, for the reward estimate")

    def action(name: str, help_text: str, parents: list[argparse.ArgumentParser] | None = None,
               ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(
            name, parents=parents or [common], help=help_text,
            description=help_text)
        p.set_defaults(handler=run, node_action=name)
        return p

    action("list", "your nodes: tier, collateral and its maturity, state in words with the next "
           "step, payments and rewards", [common, fluxos])
    add = action("add", "add a node entry for one of your coins of exactly a tier amount")
    add.add_argument("name", metavar="NAME", help="the node's name (alias), e.g. node1")
    add.add_argument("outpoint", type=_outpoint, metavar="TXID:VOUT",
                     help="the collateral coin (see `fluxdesk node candidates`)")
    add.add_argument("--identity-file", type=Path, metavar="FILE",
                     help="a file holding the node's identity key (WIF) to import; without it "
                     "a new identity key is made")
    remove = action("remove", "forget a node entry (its coin stays locked as a collateral)")
    remove.add_argument("name", metavar="NAME", help="the node's name")
    remove.add_argument("--not-collateral", action="store_true",
                        help="also say the coin is not a collateral, so it becomes spendable")
    start = action("start", "review and broadcast a START for a node, or for every node that "
                   "may start (no inputs, no fee)")
    start.epilog = (
        "--all skips confirmed, started, DOS and starting nodes and says why, refuses the ones "
        "a check stops (an immature collateral, with its ETA) and sends the rest, one node's "
        "failure never stopping the others. Exit code with --all: 0 when every START was sent "
        f"or the node skipped, {EXIT_FAILED} when any node was refused or its START failed (the "
        f"report says which), {EXIT_MAYBE_SENT} when a START may have been sent.")
    which = start.add_mutually_exclusive_group(required=True)
    which.add_argument("name", metavar="NAME", nargs="?", help="the node's name")
    which.add_argument("--all", action="store_true", dest="all_nodes",
                       help="every node that may start (one confirmation for all)")
    start.add_argument("--yes", action="store_true",
                       help="do not ask before broadcasting (needed when input is not a "
                       f"terminal); exit code {EXIT_MAYBE_SENT}: the START may have been sent")
    start.add_argument("--replace", action="store_true",
                       help="replace a START of ours that is still pending (the retry path; "
                       "not with --all)")
    start.add_argument("--dry-run", action="store_true",
                       help="run the checks and show the review (with --all: what would be "
                       "sent and what skipped); send nothing")
    prep = action("prepare-collateral", "send exactly a tier's collateral to yourself in one "
                  "output (reviewed first); it can back a node after 100 confirmations")
    prep.add_argument("--tier", required=True, choices=("cumulus", "nimbus", "stratus"),
                      help="cumulus 1 000, nimbus 12 500 or stratus 40 000 FLUX")
    prep.add_argument("--yes", action="store_true",
                      help="do not ask before broadcasting (needed when input is not a "
                      f"terminal); exit code {EXIT_MAYBE_SENT}: it may have been sent")
    prep.add_argument("--dry-run", action="store_true", help="show the review; send nothing")
    ident = action("new-identity", "give a node a new identity key (then update its flux.conf "
                   "and start it again)")
    ident.add_argument("name", metavar="NAME", help="the node's name")
    imp = action("import-conf", "add the nodes of a fluxnode.conf / zelnode.conf file")
    imp.add_argument("file", type=Path, metavar="FILE", help="the fluxnode.conf to read")
    exp = action("export-conf", "write your nodes as a fluxnode.conf (mode 0600)")
    exp.add_argument("file", type=Path, metavar="FILE", help="where to write it")
    cand = action("candidates", "coins that are, or may be, a collateral, with your decision")
    cand.add_argument("--tier", choices=("cumulus", "nimbus", "stratus"),
                      help="only coins of this tier")


def register_wallet(actions: argparse._SubParsersAction[Any],
                    common: argparse.ArgumentParser) -> None:
    """`fluxdesk wallet flux-id` and `fluxdesk wallet collateral`."""
    fid = actions.add_parser("flux-id", parents=[common], help="show this wallet's Flux ID",
                             description="The Flux ID (a '1…' address derived from the seed) "
                             "that owns and logs in to your nodes' FluxOS.")
    fid.set_defaults(handler=run, node_action="flux-id")
    col = actions.add_parser("collateral", parents=[common],
                             help="say whether a coin is a node collateral",
                             description="Coins of exactly a tier amount stay locked until "
                             "you say whether they are a collateral; the choice is saved.")
    col.add_argument("outpoint", type=_outpoint, metavar="TXID:VOUT", help="the coin")
    word = col.add_mutually_exclusive_group(required=True)
    word.add_argument("--is-collateral", dest="decision", action="store_const", const=True,
                      help="it is a collateral: keep it locked")
    word.add_argument("--not-collateral", dest="decision", action="store_const", const=False,
                      help="it is not a collateral: it becomes spendable")
    word.add_argument("--undecided", dest="decision", action="store_const", const=None,
                      help="forget the decision (an exact tier amount is locked again)")
    col.set_defaults(handler=run, node_action="collateral")


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    try:
        return asyncio.run(_run(args, ctx))
    except StartMaybeSent as exc:
        raise CommandFailed("maybe_sent", str(exc), EXIT_MAYBE_SENT,
                            {"txid": exc.txid}) from None
    except BroadcastUncertain as exc:
        raise CommandFailed("maybe_sent", str(exc), EXIT_MAYBE_SENT,
                            {"txid": exc.txid}) from None
    except InsufficientFunds as exc:
        raise CommandFailed("insufficient_funds", str(exc), EXIT_FAILED) from None
    except StartRefused as exc:
        raise CommandFailed("start_refused", str(exc), EXIT_FAILED,
                            {"reason": exc.reason, "eta_seconds": exc.eta_seconds}) from None
    except BroadcastRejected as exc:
        raise CommandFailed("start_rejected", str(exc), EXIT_FAILED,
                            {"reason": str(exc.kind)}) from None
    except ConfError as exc:
        raise CommandFailed("bad_conf", str(exc), EXIT_FAILED, {"line": exc.line}) from None
    except NodeInputError as exc:
        raise CommandFailed("bad_input", str(exc), EXIT_USAGE) from None
    except NodeListError as exc:
        raise CommandFailed("node_list", str(exc)) from None
    except BackendError as exc:
        raise CommandFailed("server", str(exc)) from None
    except (CliError, WalletError) as exc:
        raise CommandFailed("failed", str(exc)) from None
    except OSError as exc:
        raise CommandFailed("io_error", f"{exc.strerror or exc}: {exc.filename or ''}") from None
    except (KeyboardInterrupt, EOFError):
        raise CommandFailed("cancelled", "Cancelled; nothing was changed.",
                            EXIT_CANCELLED) from None


async def _run(args: argparse.Namespace, ctx: AppContext) -> int:
    from wallet.backends.insight_servers import normalize_server_url

    args.insight = [normalize_server_url(url) for url in args.insight or ()] or None
    services = Services(ctx)
    try:
        service = services.wallet_service(args.wallet)
    except PathError as exc:
        raise CliError(str(exc)) from None
    lists: NodeListsClient | None = None
    try:
        await open_wallet(Wallet(service, services, args), args)
        servers = services.insight_servers(ctx.network, args.insight or (),
                                           service.document.settings)
        if not servers:
            raise CliError(f"No Insight server is known for {ctx.network}: pass --insight URL.")
        lists = NodeListsClient(servers[0], fluxos_url=getattr(args, "fluxos", None))
        result = await _ACTIONS[args.node_action](NodeManager(service, lists), args)
    finally:
        if lists is not None:
            await lists.close()
        await service.close()
    code = 0
    if isinstance(result, Reported):
        code, result = result.code, result.body
    print(json.dumps(result, indent=2, sort_keys=True) if args.json else result)
    return code


# --- actions -------------------------------------------------------------------------------


async def _list(m: NodeManager, args: argparse.Namespace) -> object:
    views = await m.nodes()
    estimates: list[dict[str, Any]] | None = None
    found: list[RewardEstimate] = []
    estimate_note = "give --fluxos URL for an estimate of the rewards per tier"
    if getattr(args, "fluxos", None):
        found = await m.reward_estimates()
        estimates = [{"tier": e.tier.name.lower(), "height": e.height, "nodes": e.nodes,
                      "per_block": e.per_block, "blocks_per_day": e.blocks_per_day,
                      "per_day": e.per_day, "apr_percent": round(e.apr_percent, 2),
                      "formula": e.formula, "is_estimate": True} for e in found]
    if args.json:
        return {"unit": "satoshi", "nodes": [_node_json(v) for v in views],
                "reward_estimates": estimates}
    if not views:
        text = "No nodes yet. `fluxdesk node candidates` shows coins that can be a collateral."
    else:
        text = "\n\n".join(_node_text(v) for v in views)
    if estimates is None:
        return f"{text}\n\n({estimate_note})"
    lines = [f"  {e.tier.name.lower():<8} {e.describe(lambda s: format_amount(s) + ' FLUX')}"
             for e in found]
    return text + "\n\nReward estimate:\n" + "\n".join(lines)


def _node_json(view: NodeView) -> dict[str, Any]:
    status = view.status
    return {
        "name": view.name, "outpoint": f"{view.outpoint[0]}:{view.outpoint[1]}",
        "tier": view.tier, "satoshis": view.satoshis, "address": view.address,
        "collateral_missing": view.collateral_missing,
        "maturity": None if view.maturity is None else asdict(view.maturity),
        "state": str(status.state), "label": status.label, "summary": status.summary,
        "next_step": status.next_step, "blocks_left": status.blocks_left,
        "eta_seconds": status.eta_seconds, "rank": status.rank,
        "next_payment_seconds": status.next_payment_seconds,
        "last_paid_height": status.last_paid_height, "needs_confirm": status.needs_confirm,
        "last_start": None if view.last_start is None else asdict(view.last_start),
        "rewards": asdict(view.rewards), "ip": view.ip,
        "identity_source": view.identity_source,
    }


def _node_text(view: NodeView) -> str:
    amount = "coin not in this wallet" if view.satoshis is None else (
        f"{format_amount(view.satoshis)} FLUX")
    lines = [f"{view.name}  [{view.status.label}]  {view.tier.title() or '?'}  {amount}",
             f"  collateral  {view.outpoint[0]}:{view.outpoint[1]}"]
    if view.maturity is not None and not view.maturity.mature:
        lines.append(f"  maturity    {view.maturity.confirmations}/{view.maturity.needed} "
                     f"confirmations, mature in {describe_duration(view.maturity.eta_seconds)}")
    lines += [f"  state       {view.status.summary}", f"  next step   {view.status.next_step}"]
    r = view.rewards
    lines.append(f"  rewards     {format_amount(r.day)} FLUX (24 h), {format_amount(r.month)} "
                 f"FLUX (30 days), {format_amount(r.total)} FLUX in all ({r.payments} payments)")
    return "\n".join(lines)


async def _add(m: NodeManager, args: argparse.Namespace) -> object:
    wif = read_secret_file(args.identity_file) if args.identity_file else None
    entry = await m.add_node(args.name, args.outpoint, wif)
    made = "imported" if wif else "new"
    if args.json:
        return {"name": entry.name, "outpoint": f"{entry.collateral_txid}:"
                f"{entry.collateral_vout}", "tier": entry.tier, "identity": made}
    return (f"Node {entry.name} added ({entry.tier.title()}, {made} identity key). Put the "
            f"identity key in the node's flux.conf (`fluxdesk node export-conf FILE` writes "
            f"it), then `fluxdesk node start {entry.name}`.")


async def _remove(m: NodeManager, args: argparse.Namespace) -> object:
    m.remove_node(args.name, not_collateral=args.not_collateral)
    locked = not args.not_collateral
    if args.json:
        return {"removed": args.name, "collateral_locked": locked}
    return f"Node {args.name} removed; its coin " + (
        "stays locked as a collateral (`fluxdesk wallet collateral TXID:VOUT --not-collateral` "
        "makes it spendable)." if locked else "is now spendable.")


async def _start(m: NodeManager, args: argparse.Namespace) -> object:
    if args.all_nodes:
        return await start_all(m, args)
    review = await m.review_start(args.name, args.replace)
    summary = {"name": review.name, "outpoint": f"{review.outpoint[0]}:{review.outpoint[1]}",
               "tier": review.tier, "collateral_address": review.collateral_address,
               "identity_pubkey": review.identity_pubkey_hex, "sig_time": review.sig_time,
               "version": review.version, "fee": 0, "replaces_pending": review.replaces_pending}
    if args.dry_run:
        return {**summary, "txid": review.txid, "dry_run": True} if args.json else (
            review.describe())
    if not args.yes:
        await confirm(review.describe(), "Broadcast this START?", "START")
    record = await m.send_start(review)
    if args.json:
        return {**summary, "txid": record.txid, "dry_run": False, "state": "starting"}
    return (f"{review.describe()}\nSent: {record.txid}\nThe node shows as starting until the "
            "START is mined (a block or two), then as started until it confirms.")


async def _new_identity(m: NodeManager, args: argparse.Namespace) -> object:
    m.new_identity(args.name)
    if args.json:
        return {"name": args.name, "identity": "new"}
    return (f"Node {args.name} has a new identity key. Write it to the node's flux.conf "
            "(`fluxdesk node export-conf FILE`), restart the node, then start it again.")


async def _import_conf(m: NodeManager, args: argparse.Namespace) -> object:
    result = m.import_conf(args.file)
    if args.json:
        return {"added": list(result.added),
                "skipped": [{"name": n, "why": why} for n, why in result.skipped]}
    lines = [f"Added {len(result.added)} node(s): {', '.join(result.added) or 'none'}."]
    lines += [f"Skipped {n}: {why}." for n, why in result.skipped]
    return "\n".join(lines)


async def _export_conf(m: NodeManager, args: argparse.Namespace) -> object:
    count = m.export_conf(args.file)
    if args.json:
        return {"file": str(args.file), "nodes": count}
    return f"Wrote {count} node(s) to {args.file} (mode 0600: it holds identity keys)."


async def _candidates(m: NodeManager, args: argparse.Namespace) -> object:
    found = await m.candidates(args.tier)
    if args.json:
        return {"unit": "satoshi", "coins": [
            {"outpoint": f"{c.outpoint[0]}:{c.outpoint[1]}", "satoshis": c.satoshis,
             "tier": None if c.tier is None else c.tier.name.lower(),
             "decision": str(c.decision), "locked": c.locked, "node": c.node,
             "label": c.label, "maturity": asdict(c.maturity)} for c in found]}
    if not found:
        return "No coin of exactly 1 000, 12 500 or 40 000 FLUX in this wallet."
    return "\n".join(f"{c.outpoint[0]}:{c.outpoint[1]}  {format_amount(c.satoshis):>10} FLUX  "
                     f"{c.label}; {c.maturity.confirmations} confirmations" for c in found)


async def _flux_id(m: NodeManager, args: argparse.Namespace) -> object:
    address = m.flux_id()
    return {"flux_id": address} if args.json else address


async def _collateral(m: NodeManager, args: argparse.Namespace) -> object:
    m.set_collateral_decision(args.outpoint, args.decision)
    said = {True: "a collateral (locked)", False: "not a collateral (spendable)",
            None: "undecided (locked while it is an exact tier amount)"}[args.decision]
    if args.json:
        return {"outpoint": f"{args.outpoint[0]}:{args.outpoint[1]}",
                "is_collateral": args.decision}
    return f"Saved: {args.outpoint[0]}:{args.outpoint[1]} is {said}."


_ACTIONS: dict[str, Action] = {
    "list": _list, "add": _add, "remove": _remove, "start": _start,
    "new-identity": _new_identity, "import-conf": _import_conf, "export-conf": _export_conf,
    "candidates": _candidates, "flux-id": _flux_id, "collateral": _collateral,
    "prepare-collateral": prepare_collateral,
}
