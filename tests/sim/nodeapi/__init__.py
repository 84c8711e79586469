"""Scriptable stand-ins for one node's local APIs (fluxd RPC, FluxOS, fluxbench) and for the
alert services (Telegram Bot API, Discord webhooks), all aiohttp on 127.0.0.1."""
