"""Log rotation, firewall and the final verification."""

from __future__ import annotations

from nodectl.install.steps.base import (
    Action,
    Custom,
    InstallContext,
    Probe,
    Run,
    Step,
    StepFailed,
    StepRun,
    config,
    op,
    remove_config,
)
from nodectl.install.steps.fluxos import pm2_has
from nodectl.install.steps.system import enable_now

LOGROTATE_KINDS = ("logrotate_bench", "logrotate_daemon", "logrotate_mongod")


class LogRotate(Step):
    step_id = "logrotate"
    title = "Log rotation"
    why = ("The three /etc/logrotate.d files of the official installer: fluxbench monthly x2, "
           "fluxd daily x7, MongoDB daily x14.")
    weight = 0.1

    def actions(self, ctx: InstallContext) -> list[Action]:
        return [config(ctx, kind) for kind in LOGROTATE_KINDS]

    def undo(self, ctx: InstallContext) -> list[Action]:
        return [remove_config(ctx, kind) for kind in LOGROTATE_KINDS]


class Firewall(Step):
    step_id = "firewall"
    title = "Firewall (ufw) and fail2ban"
    why = ("The official rules: SSH port, default deny incoming, 16100-16199/tcp open. "
           "`ufw limit <ssh port>/tcp` replaces `ufw limit OpenSSH`, which fails when the "
           "OpenSSH ufw profile is missing. UPnP adds the official SSDP/router rules. "
           "The official self-hosting cron that adds the WAN IP to a network card is left "
           "out: it breaks hosts with a dedicated IP (flux issue #940).")
    weight = 0.3

    def actions(self, ctx: InstallContext) -> list[Action]:
        p = ctx.params
        rules = ["ssh_allow", "ssh_limit", "logging", "deny_incoming", "allow_outgoing",
                 "flux_ports"]
        if p.upnp:
            rules += ["upnp_ssdp_out", "upnp_router_ssdp", "upnp_router_tcp_out",
                      "upnp_router_udp"]
        return [
            *[Run(op("ufw_rule", rule=rule, ssh_port=p.ssh_port, router_ip=p.router_ip))
              for rule in rules],
            Run(op("ufw_enable"), skip_if=Probe(op("ufw_status"), contains="Status: active")),
            enable_now("fail2ban"),
        ]


class Verify(Step):
    step_id = "verify"
    title = "Verify the node"
    why = ("The official success checks: fluxd answers, fluxbench answers, pm2 shows FluxOS "
           "and the watchdog. The benchmark itself needs a running FluxOS and takes ~5 min; "
           "follow it on the monitoring page.")
    weight = 0.5

    def actions(self, ctx: InstallContext) -> list[Action]:
        p = ctx.params
        checks = (
            ("flux-cli", "fluxd does not answer",
             "run `sudo systemctl restart zelcash` and look at ~/.flux/debug.log"),
            ("fluxbench-cli", "fluxbench does not answer",
             "fluxd starts fluxbenchd: restart zelcash.service"),
        )

        async def verify(run: StepRun) -> None:
            host = run.ctx.host
            for tool, problem, fix in checks:
                result = await host.perform(
                    op("node_cli", user=p.user, tool=tool, command="getinfo"), timeout=60)
                if not result.ok:
                    raise StepFailed(problem, fix, result.tail)
                run.log(f"{tool} getinfo: ok")
            for name in ("flux", "watchdog"):
                probe = pm2_has(p.user, name)
                result = await host.perform(probe.op, timeout=60)
                if probe.contains not in result.text:
                    raise StepFailed(f"pm2 does not list `{name}`",
                                     f"run `pm2 logs {name}` as {p.user}", result.tail)
                run.log(f"pm2 {name}: listed")
            run.log(f"FluxOS UI: http://{p.public_ip}:{p.api_port - 1}")

        return [Custom("check flux-cli getinfo, fluxbench-cli getinfo and pm2 processes",
                       verify)]
