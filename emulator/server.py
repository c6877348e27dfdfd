"""The threaded HTTP server and the Python API (:class:`Emulator`).

    from crm_portal_emulator.server import Emulator

    with Emulator(seed=1, owners=50) as emu:
        emu.base_url            # http://127.0.0.1:PORT/api/v1
        emu.control.add_faults("503:path=/streams/*,times=2")
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from .app import Portal
from .config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_DEALER_CODE,
    EmulatorConfig,
)
from .control import Controller
from .faults import API_PREFIX
from .messages import Request, Response
from .problems import Problem
from .seed import Volumes
from .state import StateSaver, load
from .timefmt import http_date, parse_instant

MAX_BODY = 1024 * 1024
SERVER_NAME = "crm-portal-emulator/0.1"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _poke(address: tuple[Any, ...]) -> None:
    """Open and close a connection to the server, so that its select() returns."""
    try:
        family = socket.AF_INET6 if ":" in str(address[0]) else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.2)
            probe.connect(address[:2])
    except OSError:
        pass


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP/1.1 requests into :class:`Request` and writes the :class:`Response`."""

    protocol_version = "HTTP/1.1"
    server_version = SERVER_NAME
    sys_version = ""
    timeout = 30  # idle keep-alive connections give up after this many seconds
    server: "_Server"

    def setup(self) -> None:
        super().setup()
        try:  # small answers must not wait for delayed ACKs (Nagle)
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        portal = self.server.portal
        split = urlsplit(self.path)
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            self.close_connection = True
            self._write(Response.problem(Problem(411, "length-required", "send a Content-Length"), split.path))
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._write(Response.problem(Problem(413, "too-large", f"bodies are at most {MAX_BODY} bytes"), split.path))
            return
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
            client=self.client_address[0],
        )
        response = portal.handle(request)
        try:
            self._write(response)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client went away (e.g. it timed out): nothing to say

    def _write(self, response: Response) -> None:
        if response.transport == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        body = response.body if self.command != "HEAD" else b""
        if response.transport == "truncate":
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def version_string(self) -> str:
        """The ``Server`` header."""
        return SERVER_NAME

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header follows the server clock (so Retry-After dates agree)."""
        return http_date(self.server.portal.clock.now() if timestamp is None else timestamp)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        """Silenced: the emulator logs one line per request itself (``-v``)."""


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its portal and its open connections."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], portal: Portal) -> None:
        self.portal = portal
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that vanish mid-request are normal here; anything else is printed."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def track(self, connection: socket.socket, opened: bool) -> None:
        with self._connections_lock:
            (self._connections.add if opened else self._connections.discard)(connection)

    def close_connections(self) -> None:
        """End every open keep-alive connection (on stop)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Emulator:
    """A portal emulator serving HTTP in a background thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    ``control`` (a :class:`~crm_portal_emulator.control.Controller`) changes it
    in-process; the same operations exist over HTTP under :attr:`control_url`.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 1,
        dealer_code: str = DEFAULT_DEALER_CODE,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        owners: int = 200,
        leads: int = 50,
        complaints: int = 20,
        campaigns: int = 8,
        surveys: int = 60,
        token_ttl: int = 300,
        cursor_ttl: int = 600,
        faults: Any = None,
        state_file: str | None = None,
        start_time: str | float | None = None,
        frozen_clock: bool = False,
        control_api: bool = True,
        allow_remote: bool = False,
        verbose: bool = False,
        log_stream: TextIO | None = None,
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise ValueError(f"refusing to listen on {host}: not a loopback address (allow_remote=True to force)")
        if isinstance(start_time, str):
            start_time = parse_instant(start_time)
        self.config = EmulatorConfig(
            seed=seed,
            dealer_code=dealer_code,
            client_id=client_id,
            client_secret=client_secret,
            volumes=Volumes(owners=owners, leads=leads, complaints=complaints, campaigns=campaigns, surveys=surveys),
            token_ttl=token_ttl,
            cursor_ttl=cursor_ttl,
            start_time=start_time,
            frozen_clock=frozen_clock,
            state_file=state_file,
            control_api=control_api,
        )
        self.host = host
        self._requested_port = port
        self.portal = Portal(self.config, faults)
        self.control = Controller(self.portal)
        self._saver: StateSaver | None = None
        if state_file:
            load(self.portal, state_file)
            self._saver = StateSaver(self.portal, state_file)
            self.portal.after_request = self._saver.flush
        self.verbose = verbose
        self._log_stream = log_stream
        if verbose:
            self.portal.on_request = self._log_line
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----- life cycle ----------------------------------------------------------------
    def start(self) -> "Emulator":
        """Bind and serve in a background thread; returns self."""
        if self._server is not None:
            return self
        self._server = _Server((self.host, self._requested_port), self.portal)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.5}, name="portal-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close connections, save the state file if any."""
        server, self._server = self._server, None
        if server is None:
            return
        stopper = threading.Thread(target=server.shutdown, name="portal-emulator-stop", daemon=True)
        stopper.start()
        while stopper.is_alive():  # wake the serving loop now rather than at its next poll
            _poke(server.server_address)
            stopper.join(0.01)
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._saver is not None:
            self._saver.flush(force=True)

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----- addresses -------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` (no path)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base URL, ``http://HOST:PORT/api/v1``."""
        return self.url + API_PREFIX

    @property
    def token_url(self) -> str:
        """``{base_url}/oauth/token``."""
        return self.base_url + "/oauth/token"

    @property
    def control_url(self) -> str:
        """``http://HOST:PORT/_emulator``."""
        return self.url + "/_emulator"

    @property
    def dealer_code(self) -> str:
        """The dealer this portal serves."""
        return self.config.dealer_code

    @property
    def client_id(self) -> str:
        """The registered client id."""
        return self.config.client_id

    # ----- shortcuts to the controller ----------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        """``emu.add_faults(...)``, ``emu.advance_clock(...)``...: the controller's methods."""
        if name.startswith("_") or name in ("control", "portal"):
            raise AttributeError(name)
        return getattr(self.control, name)

    # ----- logging ---------------------------------------------------------------------
    def _log_line(self, entry: dict[str, Any]) -> None:
        stream = self._log_stream or sys.stderr
        query = "&".join(f"{k}={v}" for k, v in entry["query"].items())
        target = entry["path"] + ("?" + query if query else "")
        status = entry["status"] if entry["status"] is not None else "---"
        fault = f" fault={entry['fault']}" if entry["fault"] else ""
        stamp = time.strftime("%H:%M:%S")
        stream.write(f"{stamp} {entry['method']} {target} {status} {entry['ms']}ms{fault}\n")
        stream.flush()
