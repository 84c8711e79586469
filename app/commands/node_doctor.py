"""`fluxdesk node doctor [--fix] [--yes] [--json]`: what is wrong with the node, why, what next.

Without --fix it only looks (one poll, as `node status`). With --fix it runs the fixes the
doctor names that FluxDesk can run itself, as the privileged helper's named operations (the
same ``HelperFixes`` path as the Local node page; the helper asks for the administrator's
password through sudo or pkexec), then polls again until each fixed rule is gone or --wait runs
out, and reports fix-then-verify. It asks before fixing at a terminal; --yes skips that, and
--json or a non-terminal input without --yes changes nothing and says to pass --yes.
Exit codes as every command (app/commands/failure.py): 0 looked, or every fix done and
verified; 1 a fix failed or its problem is still there; 2 a wrong command line.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.commands.failure import EXIT_FAILED, EXIT_USAGE, CommandFailed
from app.commands.node_monitor import (
    Look,
    add_wallet_options,
    answering,
    emit,
    finding_doc,
    guarded,
    jsonable,
    look,
    node_doc,
    print_findings,
    say_no_node,
    silent_words,
    target_of,
    wallet_flux_id,
)
from app.doctor_fixes import HelperFixes
from app.monitor_wallet import WalletFluxId
from nodectl.install import operations
from nodectl.monitor.doctor import Finding, recheck
from nodectl.monitor.fixes import FixOutcome, FixPlan, FixRefused, fix_plan
from nodectl.monitor.target import WatchedNode

if TYPE_CHECKING:
    from app.context import AppContext

DEFAULT_WAIT_S = 90.0  # a restarted fluxd or FluxOS answers within a minute or so
RECHECK_EVERY_S = 10.0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    doctor = sub.add_parser(
        "doctor", help="what is wrong, why, and what to do next; --fix repairs what it can",
        description="Check the node once and say what is wrong, why and what to do next. "
        "--fix runs the fixes FluxDesk can run itself (restarts of fluxd, FluxOS, MongoDB, "
        "Docker, the watchdog, a benchmark rerun) through its privileged helper, then checks "
        "again.")
    doctor.add_argument("--node", metavar="IP[:PORT]",
                        help="a remote node's FluxOS API instead of this machine's node "
                        "(looking only: --fix works on this machine's node)")
    doctor.add_argument("--fix", action="store_true",
                        help="run the fixes FluxDesk can run itself, then check again")
    doctor.add_argument("--yes", action="store_true",
                        help="with --fix: do not ask first (needed with --json or when input "
                        "is not a terminal)")
    doctor.add_argument("--wait", type=float, default=DEFAULT_WAIT_S, metavar="S",
                        help="with --fix: how long to keep checking for a fix to show "
                        f"(default {DEFAULT_WAIT_S:g} s)")
    doctor.add_argument("--json", action="store_true", help="print one JSON document")
    add_wallet_options(doctor)
    doctor.set_defaults(handler=run)


def make_fixes(ctx: AppContext) -> HelperFixes:
    """The privileged helper on this machine (tests replace this seam with the sandbox)."""
    from nodectl.install.host import LocalHost

    return HelperFixes(LocalHost(ctx.data_dir / "node-install" / "downloads"))


@dataclass(frozen=True)
class PlannedFix:
    plan: FixPlan
    findings: tuple[Finding, ...]

    def doc(self) -> dict[str, Any]:
        return {"action": self.plan.action.value, "title": self.plan.title,
                "rules": [f.rule for f in self.findings],
                "steps": [_step_doc(step.op) for step in self.plan.steps]}


def _step_doc(op: operations.Operation) -> dict[str, Any]:
    command = operations.command(op)
    if command is None:  # every fix operation runs a program; kept total for the type
        return {"op": op.name, "argv": None, "as": None, "cwd": None}
    return {"op": op.name, "argv": list(command.argv), "as": command.user or "root",
            "cwd": command.cwd}


def plan_fixes(findings: list[Finding], target: WatchedNode,
               ) -> tuple[list[PlannedFix], list[dict[str, Any]]]:
    """One fix per action FluxDesk can run itself (a fix may clear several findings), and the
    findings with an action it cannot run here, with the reason."""
    by_action: dict[Any, list[Finding]] = {}
    manual: list[dict[str, Any]] = []
    for finding in findings:
        if finding.action is None:
            continue
        if not target.is_local:
            manual.append({"rule": finding.rule, "action": finding.action.value,
                           "why": "FluxDesk fixes only the node on this machine."})
            continue
        try:
            fix_plan(finding.action, target.context)
        except FixRefused as exc:
            manual.append({"rule": finding.rule, "action": finding.action.value,
                           "why": str(exc)})
            continue
        by_action.setdefault(finding.action, []).append(finding)
    planned = [PlannedFix(fix_plan(action, target.context), tuple(found))
               for action, found in by_action.items()]
    return planned, manual


def _look_doc(seen: Look, target: WatchedNode) -> dict[str, Any]:
    return {"findings": [finding_doc(f, target) for f in seen.findings],
            "unchecked": jsonable(seen.unchecked)}


def _print_plan(planned: list[PlannedFix], manual: list[dict[str, Any]]) -> None:
    for item in manual:
        print(f"  not fixed by FluxDesk: {item['rule']}: {item['why']}")
    if not planned:
        print("Nothing here that FluxDesk can fix itself.")
        return
    print("FluxDesk can fix this through its privileged helper (sudo or pkexec asks for the "
          "administrator's password):")
    for fix in planned:
        print(f"  {fix.plan.title} (for {', '.join(f.rule for f in fix.findings)}):")
        for step in fix.doc()["steps"]:
            where = f", in {step['cwd']}" if step["as"] != "root" else ""
            print(f"      {shlex.join(step['argv'])}   (as {step['as']}{where})")


async def _confirm(args: argparse.Namespace, planned: list[PlannedFix]) -> None:
    if args.yes:
        return
    details = {"fixes": [fix.doc() for fix in planned]}
    if args.json:
        raise CommandFailed("confirmation_needed", "Nothing was changed: --fix with --json does "
                            "not ask. Check the fixes listed here, then run the same command "
                            "with --yes.", EXIT_USAGE, details)
    if not sys.stdin.isatty():
        raise CommandFailed("confirmation_needed", "Nothing was changed: nobody can confirm the "
                            "fixes here (input is not a terminal). Run again with --yes.",
                            EXIT_USAGE)
    answer = await asyncio.to_thread(input, "Run these fixes now? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise CommandFailed("declined", "Nothing was changed.", EXIT_FAILED)


@dataclass(frozen=True)
class Verified:
    finding: Finding
    fresh: Finding | None  # the same rule on the last poll; None: fixed

    def doc(self, target: WatchedNode) -> dict[str, Any]:
        return {"rule": self.finding.rule, "fixed": self.fresh is None,
                "finding": None if self.fresh is None else finding_doc(self.fresh, target)}


async def _verify(args: argparse.Namespace, ctx: AppContext, known: WalletFluxId,
                  planned: list[tuple[PlannedFix, FixOutcome]],
                  ) -> tuple[list[Verified], Look, WatchedNode, float]:
    """Poll again (fresh clients: FluxOS's replies are cached) until every finding whose fix
    was done is gone, or --wait is over."""
    started = time.monotonic()
    while True:
        target = target_of(args, ctx)
        if target is None:
            raise CommandFailed("flux_conf", "The node's flux.conf is gone since the fixes; "
                                "check the node, then run `fluxdesk node doctor` again.")
        after = await look(target, known)
        results = [Verified(f, recheck(f, after.snapshot, target.context, target.watch.policy))
                   for fix, _ in planned for f in fix.findings]
        waiting = [v for v, outcome in zip(results, _outcomes_per_finding(planned), strict=True)
                   if outcome.done and v.fresh is not None]
        spent = time.monotonic() - started
        if not waiting or spent + RECHECK_EVERY_S > args.wait:
            return results, after, target, spent
        await asyncio.sleep(RECHECK_EVERY_S)


def _outcomes_per_finding(planned: list[tuple[PlannedFix, FixOutcome]]) -> list[FixOutcome]:
    return [outcome for fix, outcome in planned for _ in fix.findings]


async def _apply(ctx: AppContext, planned: list[PlannedFix], target: WatchedNode,
                 as_json: bool) -> list[tuple[PlannedFix, FixOutcome]]:
    fixes = make_fixes(ctx)
    done: list[tuple[PlannedFix, FixOutcome]] = []
    try:
        for fix in planned:
            outcome = await fixes.run(fix.plan.action, target.context)
            done.append((fix, outcome))
            if not as_json:
                print(f"  {outcome.words}", flush=True)
    finally:
        await fixes.close()
    return done


async def _doctor(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.fix and args.node:
        raise CommandFailed("bad_input", "--fix works on this machine's node only; look at a "
                            "remote node without --fix.", EXIT_USAGE)
    if args.yes and not args.fix:
        raise CommandFailed("bad_input", "--yes goes with --fix.", EXIT_USAGE)
    if args.wait < 0:
        raise CommandFailed("bad_input", "--wait is a number of seconds, 0 or more.", EXIT_USAGE)
    known = await wallet_flux_id(args, ctx)
    target = target_of(args, ctx)
    if target is None:
        return say_no_node(args)
    seen = await look(target, known)
    message = None if answering(seen.snapshot) else silent_words(target, seen.snapshot)
    doc: dict[str, Any] = {"installed": True, "answering": message is None,
                           "node": node_doc(target), "message": message,
                           **_look_doc(seen, target)}
    if not args.json:
        if message:
            print(message)
        print_findings(target, seen.findings, seen.unchecked)
    if not args.fix:
        if args.json:
            emit(doc)
        return 0
    planned, manual = plan_fixes(seen.findings, target)
    doc["fix"] = {"planned": [fix.doc() for fix in planned], "manual": manual}
    if not args.json:
        print()
        _print_plan(planned, manual)
    if not planned:
        doc["ok"] = True
        if args.json:
            emit(doc)
        return 0
    await _confirm(args, planned)
    applied = await _apply(ctx, planned, target, args.json)
    if not args.json:
        print("Checking again…", flush=True)
    results, after, fresh_target, spent = await _verify(args, ctx, known, applied)
    ok = all(outcome.done for _, outcome in applied) and all(v.fresh is None for v in results)
    doc["fix"].update(
        applied=[{"action": fix.plan.action.value, "title": fix.plan.title,
                  "done": outcome.done, "words": outcome.words} for fix, outcome in applied],
        verified=[v.doc(fresh_target) for v in results], checked_for_s=round(spent, 1),
        after=_look_doc(after, fresh_target))
    doc["ok"] = ok
    if args.json:
        emit(doc)
    else:
        _print_verified(results, spent, ok)
        print()
        print_findings(fresh_target, after.findings, after.unchecked)
    return 0 if ok else EXIT_FAILED


def _print_verified(results: list[Verified], spent: float, ok: bool) -> None:
    for v in results:
        if v.fresh is None:
            print(f"  fixed: {v.finding.rule}")
        else:
            print(f"  not fixed: {v.finding.rule}: {v.fresh.cause}")
    if not ok:
        print(f"Checked again for {spent:.0f} s. A restart can take a few minutes to show "
              "(fluxd loading its index, a benchmark run): run `fluxdesk node doctor` again "
              "later; if it stays, follow the next step above.")


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    return guarded(_doctor(args, ctx))
