"""`fluxdesk bench`: will this machine pass as a Cumulus, Nimbus or Stratus FluxNode?"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.failure import EXIT_CANCELLED, EXIT_USAGE, CommandFailed
from app.services import Services
from flux.tiers import SOURCES
from nodectl.bench import (
    STEP_LABELS,
    BenchError,
    BenchHistory,
    BenchOptions,
    BenchReport,
    NetworkEndpoints,
    ProgressEvent,
    StepState,
    SysbenchMissing,
    default_disk_path,
    export_csv,
    export_json,
    run_benchmark,
)
from nodectl.bench.models import Outcome

if TYPE_CHECKING:
    from app.context import AppContext

_MARK = {Outcome.PASS: "pass", Outcome.FAIL: "FAIL", Outcome.UNKNOWN: " ?? "}


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="measure this machine against the FluxNode tiers",
        description=(
            "Measure CPU (sysbench EPS), disk write speed, RAM, cores and network the way the "
            "official installer's benchmark does, and judge each tier. The result is an "
            "estimate; the binding verdict is fluxbench on the installed node."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="shorter runs (about 15 s)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--disk",
        type=Path,
        action="append",
        metavar="PATH",
        help="directory whose disk to test (repeatable; default: ~/.flux if present, else ~)",
    )
    parser.add_argument(
        "--all-disks",
        action="store_true",
        help="also test every other disk (its largest mounted filesystem; may need root)",
    )
    parser.add_argument("--no-network", action="store_true", help="skip the network test")
    parser.add_argument(
        "--download-url",
        action="append",
        metavar="URL",
        help="download and latency endpoint (repeatable; default: the ones set on the Settings "
        "page, else the Flux bootstrap CDN hosts)",
    )
    parser.add_argument(
        "--upload-url",
        action="append",
        metavar="URL",
        help="upload endpoint (repeatable; default: the ones set on the Settings page)",
    )
    parser.add_argument("--no-save", action="store_true", help="do not keep the run in history")
    parser.add_argument(
        "--export",
        type=Path,
        metavar="FILE",
        help="write all saved runs to FILE (.json or .csv) and exit",
    )
    parser.set_defaults(handler=run)


def _options(args: argparse.Namespace, ctx: AppContext) -> BenchOptions:
    endpoints: NetworkEndpoints | None = None
    if not args.no_network:
        base = Services(ctx).bench_endpoints()
        endpoints = NetworkEndpoints(
            download_urls=tuple(args.download_url or base.download_urls),
            upload_urls=tuple(args.upload_url or base.upload_urls),
        )
    disks = tuple(p.expanduser() for p in args.disk) if args.disk else (default_disk_path(),)
    return BenchOptions(
        disk_paths=disks,
        quick=args.quick,
        all_disks=args.all_disks,
        endpoints=endpoints,
        testnet=ctx.network == "testnet",
    )


def _progress(event: ProgressEvent) -> None:
    if event.state in (StepState.STARTED, StepState.RUNNING):
        return
    label = STEP_LABELS.get(event.step, event.step)
    print(f"  {label:<28} {event.state.value:<8} {event.message}", file=sys.stderr, flush=True)


def _value(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:,.1f} {unit}"


def _plain(value: float | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def print_human(report: BenchReport, saved: Path | None) -> None:
    probes = report.probes
    print(f"FluxDesk benchmark ({'quick' if report.quick else 'full'} mode), {report.started_at}")
    print(
        f"  CPU   {probes.cpu_model or probes.machine}: {probes.cores} cores / "
        f"{probes.threads} threads, {probes.arch}, AVX {'yes' if probes.avx else 'no'}"
    )
    print(f"  RAM   {probes.ram_gib} GiB   OS {probes.os_name}")
    for target in probes.data_disks:
        print(
            f"  Disk  {target.path} on {target.disk or target.device} "
            f"({target.capacity_bytes / 1024**3:,.0f} GiB)"
        )
    print("\nMeasurements")
    for item in report.measurements:
        shown = _value(item.value, item.unit) if item.error is None else f"— {item.error}"
        print(f"  {item.label:<28} {shown}")
        print(f"  {'':<28} method: {item.method}")
    print("\nTiers (requirement: measured / required, margin)")
    for tier in report.verdict.tiers:
        print(f"  {tier.tier:<8} {tier.outcome.value.upper()}")
        for check in tier.checks:
            margin = "" if check.margin is None else f", {check.margin:+,.1f}"
            actual = _plain(check.actual)
            print(
                f"    [{_MARK[check.outcome]}] {check.label:<30} {actual} / "
                f"{_plain(check.required)} {check.unit}{margin}"
            )
    best = report.verdict.best_tier
    print(f"\nVerdict: {best or 'no tier passes every requirement'}", end="")
    if best is None and report.verdict.provisional_tier:
        print(f" (up to {report.verdict.provisional_tier} if the unmeasured items pass)", end="")
    print(f"\n{report.verdict.note}")
    for hint in report.verdict.hints:
        print(f"  hint: {hint}")
    for warning in report.warnings:
        print(f"  warning: {warning}")
    if report.fluxbench is not None:
        print(f"fluxbench on this machine: {json.dumps(report.fluxbench)}")
    if saved is not None:
        print(f"Saved to {saved}")


def _export(history: BenchHistory, target: Path) -> int:
    reports = history.load_all()
    suffix = target.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise CommandFailed(
            "usage", f"--export needs a .json or .csv file name, not {target.name}", EXIT_USAGE
        )
    try:
        (export_json if suffix == ".json" else export_csv)(reports, target)
    except OSError as exc:
        raise CommandFailed(
            "io_error", f"Cannot write {target}: {exc.strerror or exc}. Pick another place."
        ) from None
    print(f"Exported {len(reports)} run(s) to {target}")
    return 0


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    history = BenchHistory(ctx.data_dir)
    if args.export is not None:
        return _export(history, args.export)
    try:
        options = _options(args, ctx)
        report = asyncio.run(run_benchmark(options, None if args.json else _progress))
    except SysbenchMissing as exc:
        raise CommandFailed("sysbench_missing", str(exc)) from None
    except BenchError as exc:
        raise CommandFailed("bench_failed", str(exc)) from None
    except KeyboardInterrupt:
        # asyncio.run cancelled the run; the disk test removed its temp file before returning.
        raise CommandFailed(
            "cancelled", "Benchmark cancelled; nothing was saved.", EXIT_CANCELLED
        ) from None
    saved: Path | None = None
    if not args.no_save:
        try:
            saved = history.save(report)
        except BenchError as exc:
            print(f"fluxdesk: {exc}", file=sys.stderr)
    ctx.logger.info("benchmark finished: best tier %s", report.verdict.best_tier)
    if args.json:
        doc = report.to_dict()
        doc["saved_to"] = None if saved is None else str(saved)
        doc["sources"] = SOURCES
        print(json.dumps(doc, indent=2))
    else:
        print_human(report, saved)
    return 0
