"""`fluxdesk node start --all` and `fluxdesk node prepare-collateral`, on NodeManager.

Both ask once before anything is broadcast (unless --yes; without a terminal --yes is needed)
and report in words, or as one JSON document with --json. "Start all" reports every node — sent,
skipped and why, refused and why — and its exit code says whether any node failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from app.commands.failure import EXIT_FAILED, EXIT_MAYBE_SENT, EXIT_OK
from app.commands.wallet import CliError
from wallet.amounts import format_amount
from wallet.nodes.batch import BatchItem, Outcome
from wallet.nodes.manager import NodeManager
from wallet.nodes.timing import describe_duration
from wallet.send import Review


@dataclass(frozen=True)
class Reported:
    """A result printed as usual that still ends the command with ``code``."""

    body: object
    code: int


async def confirm(description: str, question: str, what: str) -> None:
    """Ask once on the terminal; CliError ("Not sent") when nobody can or does say yes."""
    if not sys.stdin.isatty():
        raise CliError(f"Not sent: nobody can confirm the {what} here (input is not a "
                       "terminal). Check it with --dry-run, then run again with --yes.")
    print(description, file=sys.stderr)
    answer = await asyncio.to_thread(input, f"{question} [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise CliError("Not sent.")


# --- start --all ------------------------------------------------------------------------------

_WORDS = {Outcome.READY: "would start", Outcome.SKIPPED: "skipped", Outcome.REFUSED: "refused",
          Outcome.SENT: "sent", Outcome.MAYBE_SENT: "maybe sent", Outcome.FAILED: "failed"}


def exit_code(items: list[BatchItem]) -> int:
    if any(i.failed for i in items):
        return EXIT_FAILED
    if any(i.outcome == Outcome.MAYBE_SENT for i in items):
        return EXIT_MAYBE_SENT
    return EXIT_OK


def _item_json(item: BatchItem) -> dict[str, Any]:
    return {"name": item.name, "state": str(item.state), "outcome": str(item.outcome),
            "reason": item.reason, "eta_seconds": item.eta_seconds,
            "txid": item.txid if item.review is None else item.review.txid}


def _item_text(item: BatchItem) -> str:
    line = f"  {item.name:<16} {_WORDS[item.outcome]:<11} {item.reason}"
    if item.txid:
        line += f"\n  {'':<16} {'':<11} START {item.txid}"
    return line


def _report(items: list[BatchItem], *, dry_run: bool, as_json: bool) -> Reported:
    counts = Counter(str(i.outcome) for i in items)
    code = EXIT_OK if dry_run else exit_code(items)
    if as_json:
        body: dict[str, Any] = {"dry_run": dry_run, "counts": dict(counts),
                                "nodes": [_item_json(i) for i in items]}
        failed = [i.name for i in items if i.failed]
        if failed and not dry_run:
            body["error"] = {"kind": "start_all_incomplete", "message": (
                f"{len(failed)} node(s) not started: {', '.join(failed)} (see nodes).")}
        return Reported(body, code)
    if not items:
        return Reported("No nodes yet: nothing to start.", EXIT_OK)
    head = ("Start all (dry run, nothing sent): " if dry_run else "Start all: ") + ", ".join(
        f"{n} {_WORDS[Outcome(o)]}" for o, n in sorted(counts.items()))
    return Reported("\n".join([head, *(_item_text(i) for i in items)]), code)


async def start_all(m: NodeManager, args: argparse.Namespace) -> Reported:
    if args.replace:
        raise CliError("--replace retries one node's pending START; it cannot go with --all.")
    plan = await m.plan_start_all()
    ready = [i for i in plan if i.outcome == Outcome.READY]
    if args.dry_run or not ready:
        return _report(plan, dry_run=args.dry_run, as_json=args.json)
    if not args.yes:
        listing = _report(plan, dry_run=True, as_json=False).body
        await confirm(str(listing), f"Broadcast {len(ready)} START(s)?", "STARTs")
    return _report(await m.start_all(plan), dry_run=False, as_json=args.json)


# --- prepare-collateral -----------------------------------------------------------------------

def _review_text(tier: str, review: Review, unit: str) -> str:
    def money(sats: int) -> str:
        return format_amount(sats, unit=unit)

    lines = [f"Prepare a {tier.title()} collateral: a payment to yourself, in one output",
             f"  amount   {money(review.amount)} to your address {review.to}",
             f"  fee      {money(review.fee)} ({len(review.inputs)} coin(s) spent)"]
    if review.change:
        lines.append(f"  change   {money(review.change)} back to {review.change_address}")
    lines.append(f"  expires  after block {review.expiry_height} if not mined")
    return "\n".join(lines)


def _review_json(tier: str, review: Review) -> dict[str, Any]:
    return {"unit": "satoshi", "tier": tier, "amount": review.amount, "fee": review.fee,
            "address": review.to, "change": review.change,
            "change_address": review.change_address, "inputs": len(review.inputs),
            "expiry_height": review.expiry_height}


async def prepare_collateral(m: NodeManager, args: argparse.Namespace) -> object:
    review = await m.prepare_collateral(args.tier)
    unit = m.service.network.currency_unit
    if args.dry_run:
        return {**_review_json(args.tier, review), "dry_run": True} if args.json else (
            _review_text(args.tier, review, unit) + "\n(dry run: nothing sent)")
    if not args.yes:
        await confirm(_review_text(args.tier, review, unit), "Broadcast this payment to yourself?",
                      "payment")
    made = await m.send_collateral(review)
    outpoint = f"{made.outpoint[0]}:{made.outpoint[1]}"
    if args.json:
        return {**_review_json(args.tier, review), "dry_run": False, "txid": made.outpoint[0],
                "outpoint": outpoint, "maturity": asdict(made.maturity)}
    ripe = made.maturity
    return (f"{_review_text(args.tier, review, unit)}\nSent: {made.outpoint[0]}\n"
            f"Collateral {outpoint}: {ripe.confirmations}/{ripe.needed} confirmations; it can "
            f"back a node in {describe_duration(ripe.eta_seconds)} ({ripe.blocks_left} blocks). "
            f"It stays locked in this wallet. Next: `fluxdesk node add NAME {outpoint}`.")
