"""Loopback stand-ins for a company network: an HTTP proxy, a TLS front end, certificates.

Everything binds to 127.0.0.1. Host names ending in `.test` are resolved by these servers
themselves (to 127.0.0.1), never by DNS: the client only reaches them through the proxy.
"""

from __future__ import annotations

import base64
import datetime
import http.client
import ipaddress
import selectors
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOP_BY_HOP = {
    "connection",
    "proxy-connection",
    "proxy-authorization",
    "keep-alive",
    "transfer-encoding",
    "te",
    "upgrade",
}


def resolve(host: str) -> str | None:
    """The proxy's own name lookup: *.test, localhost and 127.x go to 127.0.0.1, nothing else."""
    host = host.strip("[]").lower()
    if host.endswith(".test") or host == "localhost":
        return "127.0.0.1"
    try:
        return "127.0.0.1" if ipaddress.ip_address(host).is_loopback else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ProxyRecord:
    method: str
    target: str  # the absolute URI, or host:port for CONNECT
    proxy_authorization: str | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: Any


def _reply(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", **headers: str) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)
    handler.close_connection = True


def forward(handler: BaseHTTPRequestHandler, host: str, port: int, path: str) -> None:
    """Send the handler's request on to host:port over plain HTTP and copy the answer back."""
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else None
    headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(handler.command, path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        handler.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(data)
        handler.close_connection = True
    finally:
        connection.close()


def _pipe(a: socket.socket, b: socket.socket) -> None:
    with selectors.DefaultSelector() as selector:
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        while True:
            ready = selector.select(timeout=15)
            if not ready:
                return
            for key, _ in ready:
                source: socket.socket = key.fileobj  # type: ignore[assignment]
                try:
                    data = source.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                key.data.sendall(data)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _admit(self) -> bool:
        proxy: ForwardProxy = self.server.owner
        header = self.headers.get("Proxy-Authorization")
        proxy.records.append(ProxyRecord(self.command, self.path, header))
        if proxy.always_407 or (
            proxy.credentials is not None and header != basic(*proxy.credentials)
        ):
            _reply(self, 407, b"sign in", Proxy_Authenticate='Basic realm="office"')
            return False
        if proxy.refuse is not None:
            _reply(self, proxy.refuse, b"no")
            return False
        return True

    def do_CONNECT(self) -> None:
        if not self._admit():
            return
        host, _, port = self.path.rpartition(":")
        address = resolve(host)
        if address is None:
            _reply(self, 502, b"unknown host")
            return
        try:
            upstream = socket.create_connection((address, int(port)), timeout=10)
        except OSError:
            _reply(self, 502, b"unreachable")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.close_connection = True
        with upstream:
            _pipe(self.connection, upstream)

    def _forward(self) -> None:
        if not self._admit():
            return
        url = urlsplit(self.path)
        address = resolve(url.hostname or "")
        if url.scheme != "http" or address is None:
            _reply(self, 502, b"cannot forward")
            return
        path = url.path + (f"?{url.query}" if url.query else "")
        forward(self, address, url.port or 80, path or "/")

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward  # noqa: N815


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class _Running:
    """A server on its own thread while used as a context manager; `port` is where it listens."""

    def __init__(self, httpd: Any) -> None:
        self._httpd = httpd
        httpd.owner = self
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class ForwardProxy(_Running):
    """A forward proxy on 127.0.0.1: absolute-URI requests and CONNECT tunnels, recorded."""

    def __init__(self, *, credentials: tuple[str, str] | None = None) -> None:
        self.records: list[ProxyRecord] = []
        self.credentials = credentials  # when set, other credentials get 407
        self.always_407 = False
        self.refuse: int | None = None  # answer this status instead of forwarding
        super().__init__(_Server(("127.0.0.1", 0), _ProxyHandler))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: TlsFront

    def finish_request(self, request: Any, client_address: Any) -> None:
        self.owner.connections += 1
        try:
            wrapped = self.owner.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):  # the client refused our certificate
            self.owner.refused += 1
            return
        with wrapped:
            super().finish_request(wrapped, client_address)


class _FrontHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _TlsServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _relay(self) -> None:
        forward(self, "127.0.0.1", self.server.owner.backend_port, self.path)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _relay  # noqa: N815


class TlsFront(_Running):
    """HTTPS on 127.0.0.1 in front of a plain-HTTP backend (the sandbox), test certificate."""

    def __init__(self, backend_port: int, certificates: Certificates) -> None:
        self.backend_port = backend_port
        self.connections = 0
        self.refused = 0
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certificates.server_cert, certificates.server_key)
        super().__init__(_TlsServer(("127.0.0.1", 0), _FrontHandler))


# -- certificates, made at test time ------------------------------------------------------------


@dataclass(frozen=True)
class Certificates:
    ca_cert: Path  # the "company root certificate" IT would install
    server_cert: Path
    server_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_certificates(folder: Path, *, days: int = 2, label: str = "Test") -> Certificates:
    """A root CA and a server certificate it signed, for localhost, 127.0.0.1 and *.test."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{label} Company Root CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("procore.test"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.DNSName("procore.test"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = Certificates(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    paths.ca_cert.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.server_cert.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths.server_key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


# -- name lookups -------------------------------------------------------------------------------


class Dns:
    """socket.getaddrinfo with every *.test and *.invalid name failing, and recorded."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.failed: list[str] = []

    def __call__(self, host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.endswith((".test", ".invalid")):
            self.failed.append(name)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.real(host, *args, **kwargs)
