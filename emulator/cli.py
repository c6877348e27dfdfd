"""``crm-portal-emulator``: run the portal emulator until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Sequence

from .config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_DEALER_CODE, DEFAULT_SECRET_ENV
from .faults import FaultSpecError, parse_spec
from .seed import Volumes
from .server import Emulator, is_loopback
from .state import StateError
from .timefmt import parse_instant


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    defaults = Volumes()
    parser = argparse.ArgumentParser(
        prog="crm-portal-emulator",
        description="Emulator of the manufacturer's dealer portal (API v1), for demos and tests.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    parser.add_argument("--dealer-code", default=DEFAULT_DEALER_CODE, help=f"dealer served (default {DEFAULT_DEALER_CODE})")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help=f"OAuth2 client id (default {DEFAULT_CLIENT_ID})")
    parser.add_argument(
        "--client-secret-env", default=DEFAULT_SECRET_ENV, metavar="NAME",
        help=f"environment variable holding the client secret (default {DEFAULT_SECRET_ENV}; "
             f"when unset the secret is {DEFAULT_CLIENT_SECRET!r})",
    )
    for name in ("owners", "leads", "complaints", "campaigns", "surveys"):
        parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name), metavar="N",
                            help=f"seeded {name} (default {getattr(defaults, name)})")
    parser.add_argument("--token-ttl", type=int, default=300, metavar="SECONDS", help="token lifetime (default 300)")
    parser.add_argument("--cursor-ttl", type=int, default=600, metavar="SECONDS", help="cursor lifetime (default 600)")
    parser.add_argument("--faults", default="", metavar="SPEC", help="fault rules, e.g. '503:times=2;drop:every=5'")
    parser.add_argument("--state", default=None, metavar="FILE", help="keep the portal's state in this JSON file")
    parser.add_argument("--start-time", default=None, metavar="RFC3339",
                        help="server clock start (default: now); pin it for byte-identical data")
    parser.add_argument("--freeze-clock", action="store_true", help="the server clock moves only when told to")
    parser.add_argument("--no-control", action="store_true", help="switch off the /_emulator control API")
    parser.add_argument("-v", "--verbose", action="store_true", help="log one line per request to stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.allow_remote and not is_loopback(args.host):
        parser.error(f"--host {args.host} is not a loopback address; add --allow-remote to serve other machines")
    for name in ("owners", "leads", "complaints", "campaigns", "surveys", "token_ttl", "cursor_ttl"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative")
    try:
        faults = parse_spec(args.faults) if args.faults else None
        start = parse_instant(args.start_time) if args.start_time else None
    except (FaultSpecError, ValueError) as exc:
        parser.error(str(exc))
    secret = os.environ.get(args.client_secret_env) or DEFAULT_CLIENT_SECRET
    try:
        emulator = Emulator(
            host=args.host, port=args.port, seed=args.seed, dealer_code=args.dealer_code,
            client_id=args.client_id, client_secret=secret, owners=args.owners, leads=args.leads,
            complaints=args.complaints, campaigns=args.campaigns, surveys=args.surveys,
            token_ttl=args.token_ttl, cursor_ttl=args.cursor_ttl, faults=faults, state_file=args.state,
            start_time=start, frozen_clock=args.freeze_clock, control_api=not args.no_control,
            allow_remote=args.allow_remote, verbose=args.verbose,
        )
        emulator.start()
    except (OSError, StateError, ValueError) as exc:
        print(f"crm-portal-emulator: {exc}", file=sys.stderr)
        return 1

    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    print(f"listening on {emulator.base_url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
