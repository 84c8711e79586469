"""HTTPS where a CDN host offers it (issue 15, Critical): a real TLS server on 127.0.0.1 with a
certificate made here, beside the plain-HTTP bootstrap server."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from nodectl.install.bootstrap import BootstrapError, Downloader, https_twin

from .conftest import BootstrapServer, make_bootstrap


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TlsServer:
    def __init__(self, files: BootstrapServer, redirect_to: str = "") -> None:
        self.files, self.redirect_to, self.base = files, redirect_to, ""
        self.hits = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        if self.redirect_to:
            raise web.HTTPFound(f"{self.redirect_to}/{request.match_info['name']}")
        return await self.files.handle(request)


@pytest_asyncio.fixture
async def tls(tmp_path: Path, bootstrap_server: BootstrapServer,
              ) -> AsyncIterator[tuple[TlsServer, ssl.SSLContext]]:
    cert, key = self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    server = TlsServer(bootstrap_server)
    app = web.Application()
    app.router.add_get("/{name}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.base = f"https://127.0.0.1:{port}"
    yield server, ssl.create_default_context(cafile=str(cert))
    await runner.cleanup()


def to_tls(plain_base: str, tls_base: str) -> Callable[[str], str | None]:
    """The production rule (same address, https://) with the test servers' two ports."""
    def upgrade(url: str) -> str | None:
        twin = https_twin(url)
        return twin and twin.replace(plain_base.removeprefix("http://"),
                                     tls_base.removeprefix("https://"))
    return upgrade


def test_https_twin_is_the_same_address() -> None:
    url = "http://cdn-5.runonflux.io/apps/fluxshare/getfile/flux_explorer_bootstrap.tar.gz"
    assert https_twin(url) == "https://" + url.removeprefix("http://")
    assert https_twin("https://cdn.example/x") is None


@pytest.mark.asyncio
async def test_host_offering_https_is_used_over_https(
        tls: tuple[TlsServer, ssl.SSLContext], bootstrap_server: BootstrapServer,
        tmp_path: Path) -> None:
    server, client_ctx = tls
    data = make_bootstrap()
    bootstrap_server.files["b.tar.gz"] = data
    plain = f"{bootstrap_server.base}/b.tar.gz"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_ctx)) as session:
        dl = Downloader(session, backoff=0, reserve=0, speedtest_seconds=0.3,
                        upgrade=to_tls(bootstrap_server.base, server.base))
        best = await dl.pick_fastest([plain])
        assert best == f"{server.base}/b.tar.gz"
        before = len(bootstrap_server.requests)
        await dl.download(best, tmp_path / "b.tar.gz")
    assert (tmp_path / "b.tar.gz").read_bytes() == data and server.hits >= 2
    assert len(bootstrap_server.requests) == before + 1  # the TLS server's handler logs it too


@pytest.mark.asyncio
async def test_host_without_https_falls_back_to_the_listed_url(
        bootstrap_server: BootstrapServer) -> None:
    bootstrap_server.files["b.tar.gz"] = make_bootstrap()
    plain = f"{bootstrap_server.base}/b.tar.gz"
    async with aiohttp.ClientSession() as session:
        # Nothing speaks TLS on the plain server's port: the HTTPS attempt fails fast.
        best = await Downloader(session, speedtest_seconds=0.3).pick_fastest([plain])
    assert best == plain


@pytest.mark.asyncio
async def test_https_redirected_to_plain_http_is_not_counted_as_https(
        tls: tuple[TlsServer, ssl.SSLContext], bootstrap_server: BootstrapServer,
        tmp_path: Path) -> None:
    server, client_ctx = tls
    server.redirect_to = bootstrap_server.base
    bootstrap_server.files["b.tar.gz"] = make_bootstrap()
    plain = f"{bootstrap_server.base}/b.tar.gz"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_ctx)) as session:
        dl = Downloader(session, backoff=0, reserve=0, speedtest_seconds=0.3,
                        upgrade=to_tls(bootstrap_server.base, server.base))
        assert await dl.pick_fastest([plain]) == plain, "a downgrade is not HTTPS"
        with pytest.raises(BootstrapError, match="redirected to plain HTTP"):
            await dl.download(f"{server.base}/b.tar.gz", tmp_path / "b.tar.gz")
