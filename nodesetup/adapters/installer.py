"""The Installer port over nodectl/install: preflight, the plan filled from the flow, the
resumable runner (its own state file skips finished steps), and flux.conf read back."""

from __future__ import annotations

from nodectl.install.events import Event, Kind
from nodectl.install.params import make_params
from nodectl.install.preflight import PublicIp, Status
from nodectl.install.session import InstallSession
from nodectl.install.validate import InvalidInput
from nodesetup.ports import InstallInputs, InstallOutcome, ProgressSink, SetupError


def parse_conf(text: str) -> dict[str, str]:
    """flux.conf as key -> value (the last one wins, as fluxd reads single-valued keys)."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values


class InstallerAdapter:
    def __init__(self, session: InstallSession, *, network: str, user: str = "fluxnode",
                 public_ip: str | None = None, swap: bool = True) -> None:
        self.session = session
        self.network = network
        self.user = user
        self.public_ip = public_ip
        self.swap = swap

    @property
    def conf_path(self) -> str:
        return f"/home/{self.user}/.flux/flux.conf"

    async def install(self, inputs: InstallInputs, on_progress: ProgressSink) -> InstallOutcome:
        tier = inputs.tier.lower()
        given = PublicIp(self.public_ip) if self.public_ip else None
        pre = await self.session.preflight(user=self.user, tier=tier, public_ip=given)
        if not pre.report.ok:
            fixes = [f"{c.title}: {c.detail}" + (f" — {c.fix}" if c.fix else "")
                     for c in pre.report.checks if c.status is Status.FAIL]
            raise SetupError("This machine cannot host the node yet (preflight failed).",
                             tuple(fixes))
        if pre.public_ip.address is None:
            raise SetupError("The public IPv4 address could not be found "
                             f"({pre.public_ip.error or 'no answer'}).",
                             ("Give it in the settings (--ip), then retry.",))
        try:
            params = make_params(
                user=self.user, identity_wif=inputs.identity_wif,
                collateral_txid=inputs.collateral[0], collateral_index=inputs.collateral[1],
                public_ip=pre.public_ip.address, zelid=inputs.flux_id, tier=tier,
                network=self.network, swap=self.swap)
        except InvalidInput as exc:
            raise SetupError(f"The install inputs are not valid: {exc}") from None

        def emit(event: Event) -> None:
            if event.kind in (Kind.STEP_START, Kind.PROGRESS, Kind.STEP_DONE, Kind.STEP_SKIP):
                words = event.message if event.kind is not Kind.STEP_SKIP else \
                    f"{event.step_id}: {event.message}"
                on_progress(event.overall, words, event.eta_s)

        result = await self.session.execute(params, pre.facts, emit)
        return InstallOutcome(result.ok, result.failed_step, result.message, result.fix)

    async def flux_conf(self) -> dict[str, str] | None:
        text = await self.session.host.read_text(self.conf_path)
        return None if text is None else parse_conf(text)
