"""`fluxdesk wallet`: create, restore, import a key, balance, receive, history and send.

Secrets never come from argv: passwords from a prompt or --password-file, the seed phrase from a
prompt or --seed-file, private keys from a prompt or --wif-file. Every action takes --json.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import stat
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.failure import EXIT_CANCELLED, EXIT_MAYBE_SENT, CommandFailed
from app.paths import DEFAULT_WALLET, PathError
from app.services import Services
from wallet.amounts import format_amount
from wallet.backup import numbered_words
from wallet.dates import when_text
from wallet.errors import BackendError, BackendUnavailable, BroadcastUncertain, WalletError
from wallet.password import password_feedback
from wallet.send import DEFAULT_EXPIRY_DELTA, FEE_PRESETS, Review, SendRequest
from wallet.service import WalletService
from wallet.state import WalletState

if TYPE_CHECKING:
    from app.context import AppContext



class CliError(Exception):
    """A plain message for stderr (exit code 1)."""


def wallet_options() -> argparse.ArgumentParser:
    """--json, --wallet, --password-file, --insight, --rpc-conf: shared by `fluxdesk wallet`
    and the node commands that open the wallet (app/commands/nodes.py)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document")
    common.add_argument(
        "--wallet", default=DEFAULT_WALLET, metavar="NAME",
        help="wallet name (the GUI opens the default one)",
    )
    common.add_argument(
        "--password-file", type=Path, metavar="FILE", help="read the password from FILE"
    )
    common.add_argument(
        "--insight", action="append", metavar="URL",
        help="Insight API base URL, e.g. https://explorer.example/api (repeatable: failover);"
        " create, restore and import-key keep it for this network, for the CLI and the GUI",
    )
    common.add_argument(
        "--rpc-conf", type=Path, metavar="PATH", help="use the local fluxd from this flux.conf"
    )
    return common


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    from app.commands import nodes  # it imports this module

    common = wallet_options()
    parser = subparsers.add_parser(
        "wallet", help="light wallet: create, restore, balance, receive, history, send",
        description="The FluxDesk light wallet on the command line.",
    )
    actions = parser.add_subparsers(dest="wallet_action", metavar="ACTION", required=True)
    create = actions.add_parser("create", parents=[common], help="new wallet with a new seed")
    create.add_argument("--words", type=int, choices=(12, 15, 18, 21, 24), default=24,
                        help="length of the new seed phrase (default 24)")
    restore = actions.add_parser("restore", parents=[common], help="restore from a seed phrase")
    restore.add_argument("--seed-file", type=Path, metavar="FILE", help="read the seed from FILE")
    restore.add_argument(
        "--passphrase-file", type=Path, metavar="FILE", help="BIP39 passphrase (25th word)"
    )
    imp = actions.add_parser("import-key", parents=[common], help="wallet of WIF private keys")
    imp.add_argument("--wif-file", type=Path, metavar="FILE", help="one WIF key per line")
    actions.add_parser("balance", parents=[common], help="sync and show the balance")
    receive = actions.add_parser("receive", parents=[common], help="show a receive address")
    receive.add_argument(
        "--new", action="store_true",
        help="hand out a fresh address (kept as the one shown until coins arrive on it)",
    )
    history = actions.add_parser("history", parents=[common], help="sync and list transactions")
    history.add_argument("--limit", type=int, default=50, help="newest N entries (0 = all)")
    send = actions.add_parser("send", parents=[common], help="send FLUX")
    send.add_argument("--to", required=True, metavar="ADDR", help="the t1/t3 address to pay")
    send.add_argument("--amount", required=True, metavar="X", help='FLUX amount or "max"')
    send.add_argument("--fee-rate", metavar="R", help="fee rate in sat/B (default: preset)")
    send.add_argument("--fee-preset", choices=tuple(FEE_PRESETS), default="normal",
                      help="fee level when --fee-rate is not given (default normal)")
    send.add_argument("--message", help="OP_RETURN text (at most 80 bytes)")
    send.add_argument("--expiry-delta", type=int, default=DEFAULT_EXPIRY_DELTA, metavar="N",
                      help="blocks after which an unmined transaction expires (default "
                      f"{DEFAULT_EXPIRY_DELTA})")
    send.add_argument("--dry-run", action="store_true", help="show the review; sign nothing")
    send.add_argument(
        "--yes", action="store_true",
        help="do not ask before broadcasting (needed when input is not a terminal); exit "
        f"code {EXIT_MAYBE_SENT} means the transaction may have been sent: do not retry",
    )
    parser.set_defaults(handler=run)
    nodes.register_wallet(actions, common)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    try:
        return asyncio.run(_run(args, ctx))
    except BroadcastUncertain as exc:
        ctx.logger.info("wallet send: outcome unknown for %s", exc.txid[:16])
        raise CommandFailed("maybe_sent", str(exc), EXIT_MAYBE_SENT, {"txid": exc.txid}) from None
    except (CliError, WalletError) as exc:
        ctx.logger.info("wallet %s failed: %s", args.wallet_action, type(exc).__name__)
        raise CommandFailed(_kind(exc), str(exc)) from None
    except BrokenPipeError:
        raise  # app.main: the reader has gone (exit 141)
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        raise CommandFailed("io_error", f"{exc.strerror or exc}{where}") from None
    except (KeyboardInterrupt, EOFError):
        raise CommandFailed(
            "cancelled", "Cancelled; nothing was changed.", EXIT_CANCELLED
        ) from None


def _kind(exc: Exception) -> str:
    """A stable word for scripts: "wallet_error" style names from the exception's class."""
    if isinstance(exc, CliError):
        return "bad_input"
    name = type(exc).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


async def _run(args: argparse.Namespace, ctx: AppContext) -> int:
    from wallet.backends.insight_servers import normalize_server_url

    # A mistyped --insight is named before anything else is opened or written.
    args.insight = [normalize_server_url(url) for url in args.insight or ()] or None
    services = Services(ctx)
    for note in services.migration_notes:
        print(f"fluxdesk wallet: {note}", file=sys.stderr)
    try:
        service = services.wallet_service(args.wallet)
    except PathError as exc:
        raise CliError(str(exc)) from None
    action: Callable[[Wallet, argparse.Namespace], Awaitable[object]] = _ACTIONS[
        args.wallet_action
    ]
    try:
        result = await action(Wallet(service, services, args), args)
    finally:
        await service.close()
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        print(result if isinstance(result, str) else _text(result))
    return 0


class Wallet:
    """The service plus how this command connects it: after the wallet file is open (its own
    settings count), through the same composition as the GUI."""

    def __init__(self, service: WalletService, services: Services, args: argparse.Namespace):
        self.service = service
        self._services = services
        self._args = args

    async def open(self, password: str) -> WalletService:
        await self.service.open(password)
        await self.connect()
        return self.service

    async def connect(self) -> None:
        await self._services.connect_wallet(
            self.service, insight=self._args.insight or (), rpc_conf=self._args.rpc_conf
        )

    async def created(self) -> WalletService:
        """After create/restore/import: --insight becomes this network's server list."""
        if self._args.insight:
            self._services.remember_insight(self.service.network.name, self._args.insight)
        await self.connect()
        return self.service


# --- actions -------------------------------------------------------------------------------


async def _create(wallet: Wallet, args: argparse.Namespace) -> object:
    password = ask_password(args, confirm=True)
    service = wallet.service
    mnemonic = await service.create(password, words=args.words)
    await wallet.created()
    address = service.receive_address()
    if args.json:
        return {"mnemonic": mnemonic, "address": address, "wallet": str(service.store.path)}
    return (
        "Write these words down, in order, and keep them offline. Anyone who has them can spend"
        f" your coins; FluxDesk cannot recover them for you.\n\n{numbered_words(mnemonic)}\n\n"
        f"First receive address: {address}\nWallet file: {service.store.path}"
    )


async def _restore(wallet: Wallet, args: argparse.Namespace) -> object:
    mnemonic = _secret(args.seed_file, "Seed phrase (hidden): ")
    passphrase = read_secret_file(args.passphrase_file) if args.passphrase_file else ""
    password = ask_password(args, confirm=True)
    await wallet.service.restore(mnemonic, password, passphrase=passphrase)
    service = await wallet.created()
    return _summary(await _first_sync(service), service, args)


async def _import_key(wallet: Wallet, args: argparse.Namespace) -> object:
    if args.wif_file:
        wifs = [w for w in read_secret_file(args.wif_file, all_lines=True).split() if w]
    else:
        wifs = [_secret(None, "Private key, WIF (hidden): ")]
    password = ask_password(args, confirm=True)
    await wallet.service.import_keys(wifs, password)
    service = await wallet.created()
    return _summary(await _first_sync(service), service, args)


async def open_wallet(wallet: Wallet, args: argparse.Namespace) -> WalletService:
    # A password file named on the command line is checked first (its problems are the user's
    # input); a missing wallet is said before a password is asked for at the terminal.
    given = ask_password(args) if args.password_file else None
    if not wallet.service.store.exists():
        raise CliError(
            f"There is no wallet file at {wallet.service.store.path}. Create one with "
            "`fluxdesk wallet create` or restore yours with `fluxdesk wallet restore`."
        )
    service = await wallet.open(given if given is not None else ask_password(args))
    if service.store.notice:
        print(f"fluxdesk wallet: {service.store.notice}", file=sys.stderr)
    return service


async def _first_sync(service: WalletService) -> WalletState:
    try:
        return await service.sync()
    except BackendError as exc:
        raise CliError(
            f"The wallet was saved to {service.store.path}, but it could not be synced: {exc}"
            " Run `fluxdesk wallet balance` when a server is reachable."
        ) from None


async def _balance(wallet: Wallet, args: argparse.Namespace) -> object:
    service = await open_wallet(wallet, args)
    return _summary(await service.sync(), service, args)


async def _receive(wallet: Wallet, args: argparse.Namespace) -> object:
    service = await open_wallet(wallet, args)
    synced = True
    try:
        await service.sync()
    except BackendUnavailable as exc:
        # The wallet file knows every address seen used (and the last one handed out), so an
        # address from it is safe to give without a server.
        synced = False
        print(f"fluxdesk wallet: {exc} The address below comes from this wallet's file: it was "
              "unused as of the last sync.", file=sys.stderr)
    # --new: never the address `receive` shows now; either one stays shown across restarts.
    address = service.new_receive_address() if args.new else service.receive_address()
    return {"address": address, "synced": synced} if args.json else address


async def _history(wallet: Wallet, args: argparse.Namespace) -> object:
    service = await open_wallet(wallet, args)
    state = await service.sync()
    entries = state.history[: args.limit] if args.limit > 0 else state.history
    if args.json:
        return {"tip": state.tip, "unit": "satoshi", "history": [asdict(e) for e in entries]}
    if not entries:
        return "No transactions yet."
    unit = service.network.currency_unit
    lines = []
    for e in entries:
        when = when_text(e.time, e.height, e.confirmations)
        message = f"  “{e.message}”" if e.message else ""
        lines.append(
            f"{when:<16}  {e.type.value:<16} {format_amount(e.amount, unit=unit):>24}  "
            f"{e.txid}{message}"
        )
    return "\n".join(lines)


async def _send(wallet: Wallet, args: argparse.Namespace) -> object:
    service = await open_wallet(wallet, args)
    await service.sync()
    request = SendRequest(
        to=args.to, amount=args.amount, fee_preset=args.fee_preset, fee_rate=args.fee_rate,
        message=args.message, expiry_delta=args.expiry_delta,
    )
    review = await service.prepare_send(request)
    if args.dry_run:
        return {**_review_json(review), "dry_run": True} if args.json else review.describe()
    if not args.yes:
        if not sys.stdin.isatty():
            # A pipe or cron job cannot answer the question; sending unasked would spend money
            # nobody confirmed.
            raise CliError(
                "Not sent: nobody can confirm the transaction here (input is not a terminal). "
                "Check it with --dry-run, then run the command again with --yes."
            )
        print(review.describe(), file=sys.stderr)
        if input("Broadcast this transaction? [y/N] ").strip().lower() not in ("y", "yes"):
            raise CliError("Not sent.")
    txid = await service.send(review)
    if args.json:
        return {**_review_json(review), "txid": txid, "dry_run": False}
    return f"{review.describe()}\nSent: {txid}"


_ACTIONS: dict[str, Callable[[Wallet, argparse.Namespace], Awaitable[object]]] = {
    "create": _create,
    "restore": _restore,
    "import-key": _import_key,
    "balance": _balance,
    "receive": _receive,
    "history": _history,
    "send": _send,
}


# --- plumbing ------------------------------------------------------------------------------


def read_secret_file(path: Path, *, all_lines: bool = False) -> str:
    _warn_if_others_can_read(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        # The decode error would quote the bytes around the fault: part of the secret.
        raise CliError(
            f"The file {path} is not UTF-8 text. Save it as UTF-8 (one line, no other bytes) "
            "and try again."
        ) from None
    return text.strip() if all_lines else (text.splitlines() or [""])[0].strip()


def _warn_if_others_can_read(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # reading it reports the problem
    if stat.S_ISREG(mode) and mode & 0o077:
        print(
            f"fluxdesk wallet: warning: {path} can be read by other users (mode "
            f"{stat.S_IMODE(mode):04o}). Run: chmod 600 {path}",
            file=sys.stderr,
        )


def _secret(path: Path | None, prompt: str) -> str:
    value = read_secret_file(path) if path else getpass.getpass(prompt)
    if not value.strip():
        raise CliError("Nothing was entered.")
    return value.strip()


def ask_password(args: argparse.Namespace, *, confirm: bool = False) -> str:
    """The wallet password; `confirm` (a new wallet) also applies the password rule the GUI's
    wizard applies (wallet/password.py)."""
    if args.password_file:
        password = read_secret_file(args.password_file)
        if not password:
            raise CliError(f"The password file {args.password_file} is empty.")
    else:
        password = getpass.getpass("Wallet password: ")
        if confirm and getpass.getpass("Repeat the password: ") != password:
            raise CliError("The two passwords differ; nothing was created.")
    if confirm:
        _, message, ok = password_feedback(password)
        if not ok:
            raise CliError(f"{message} Nothing was created.")
    return password


def _summary(state: WalletState, service: WalletService, args: argparse.Namespace) -> object:
    b = state.balances
    if args.json:
        return {
            "network": state.network,
            "tip": state.tip,
            "backend": state.backend,
            "unit": "satoshi",
            "balances": asdict(b),
            "receive_address": state.receive_address,
            "coins": len(state.coins),
            "transactions": len(state.history),
            "watch_only": state.watch_only,
            "wallet": str(service.store.path),
        }
    rows = [("Total", b.total), ("Spendable", b.spendable), ("Pending", b.pending)]
    rows += [(n, v) for n, v in (("Locked", b.locked), ("Frozen", b.frozen),
                                  ("Immature", b.immature), ("Unverified", b.unverified)) if v]
    lines = [f"{state.network} wallet at block {state.tip} ({state.backend})"]
    unit = service.network.currency_unit
    lines += [f"{name:<10} {format_amount(value, unit=unit):>24}" for name, value in rows]
    lines.append(f"Receive to {state.receive_address}")
    return "\n".join(lines)


def _review_json(review: Review) -> dict[str, Any]:
    data = asdict(review)
    data["fee_rate_sat_per_kb"] = review.fee_rate.sat_per_kb
    del data["fee_rate"]
    data["total"] = review.total
    data["unit"] = "satoshi"
    return data


def _text(result: object) -> str:
    return json.dumps(result, indent=2, sort_keys=True)
