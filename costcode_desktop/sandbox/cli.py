"""costcode-sandbox: run the Procore sandbox on loopback until Ctrl+C."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
import threading
from pathlib import Path
from types import FrameType

from .demo import demo_seed
from .faults import FaultConfig
from .ratelimit import RateLimitConfig
from .seed import SeedError, load_seed
from .server import SandboxServer, loopback_address

PROG = "costcode-sandbox"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A Procore-compatible API server on this computer, for the demo and tests.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=0, help="TCP port number (default 0: any free port)"
    )
    parser.add_argument(
        "--seed", type=Path, help="seed JSON file path (default: the built-in demo)"
    )
    parser.add_argument(
        "--db", type=Path, help="SQLite file path to keep state in (default: memory)"
    )
    parser.add_argument(
        "--reset", action="store_true", help="reload the seed even if --db already holds state"
    )
    parser.add_argument(
        "--refuse-deprecated",
        action="store_true",
        help="answer 403 to deprecated endpoints (List Standard Cost Code Lists), as Procore "
        "answers new applications",
    )
    parser.add_argument(
        "--token-lifetime",
        type=int,
        default=5400,
        metavar="S",
        help="access token lifetime in seconds (default 5400: 90 minutes)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="S",
        help="delay before each answer, in seconds, e.g. 0.05 (default 0)",
    )
    parser.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        metavar="F",
        help="fraction 0..1 of requests answered 500 or 503, e.g. 0.05 for 5%% (default 0)",
    )
    parser.add_argument(
        "--drop-rate",
        type=float,
        default=0.0,
        metavar="F",
        help="fraction 0..1 of requests processed, then the connection closed without an "
        "answer (default 0)",
    )
    parser.add_argument(
        "--malformed-rate",
        type=float,
        default=0.0,
        metavar="F",
        help="fraction 0..1 of JSON answers cut in half (default 0)",
    )
    defaults = RateLimitConfig()  # Procore's published example limits
    parser.add_argument(
        "--hourly-limit",
        type=int,
        default=defaults.hourly,
        metavar="N",
        help=f"requests an hour (default {defaults.hourly}; 0 = unlimited)",
    )
    parser.add_argument(
        "--spike-limit",
        type=int,
        default=defaults.spike,
        metavar="N",
        help=f"requests per 10 seconds (default {defaults.spike}; 0 = unlimited)",
    )
    parser.add_argument(
        "--write-demo-seed",
        type=Path,
        metavar="FILE",
        help="write the demo seed (JSON) to the file path FILE and exit",
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        metavar="FILE",
        help="once listening, write the sandbox's address to the file path FILE (how the "
        "desktop app learns where its demo sandbox listens)",
    )
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the desktop app that started it has ended)",
    )
    return parser


def _fail(message: str, code: int = 2) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.write_demo_seed is not None:
        try:
            args.write_demo_seed.write_text(
                json.dumps(demo_seed(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            return _fail(f"cannot write {args.write_demo_seed}: {exc.strerror or exc}", 1)
        print(f"Wrote the demo seed to {args.write_demo_seed}")
        return 0
    try:
        loopback_address(args.host)
        faults = FaultConfig(
            latency=args.latency,
            error_rate=args.error_rate,
            drop_rate=args.drop_rate,
            malformed_rate=args.malformed_rate,
        )
        limits = RateLimitConfig(hourly=args.hourly_limit, spike=args.spike_limit)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        seed = load_seed(args.seed) if args.seed is not None else demo_seed()
        server = SandboxServer(
            seed,
            db_path=args.db,
            host=args.host,
            port=args.port,
            faults=faults,
            rate_limits=limits,
            token_lifetime=args.token_lifetime,
            reset=args.reset,
            refuse_deprecated=args.refuse_deprecated,
        )
    except SeedError as exc:
        return _fail(f"bad seed: {exc}")
    except sqlite3.Error as exc:
        return _fail(f"cannot use the database {args.db}: {exc}", 1)
    try:
        server.start()
    except OSError as exc:
        server.stop()
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", 1)
    _announce(server, args.db)
    if args.ready_file is not None:
        _write_ready(args.ready_file, server.url)
    return _serve(server, exit_with_stdin=args.exit_with_stdin)


def _write_ready(path: Path, url: str) -> None:
    """Whole or not at all: the reader polls for the file, so it must never see half of it."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(url, encoding="utf-8")
    partial.replace(path)


def _watch_stdin(stop: threading.Event) -> None:
    """End of input (the parent closed its end, or it died): stop. Reads the descriptor, not
    sys.stdin, which a windowed program may not have."""
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        return  # no usable standard input: nothing to watch
    stop.set()


def _announce(server: SandboxServer, db: Path | None) -> None:
    lines = [
        f"Procore sandbox running at {server.url}",
        f"  OAuth token URL: {server.url}/oauth/token",
        f"  sign-in URL:     {server.url}/oauth/authorize",
        f"  client_id:       {server.client_id}",
        f"  client_secret:   {server.client_secret}",
    ]
    for company_id, name in server.companies():
        lines.append(f"  company:         {company_id}  {name}")
    if server.refuse_deprecated:
        lines.append("  deprecated endpoints: refused (403)")
    if db is not None:
        state = "kept existing state" if server.reused_state else "loaded the seed"
        lines.append(f"  database:        {db} ({state}; --reset reloads the seed)")
    lines.append("Press Ctrl+C to stop.")
    print("\n".join(lines), flush=True)


def _serve(server: SandboxServer, *, exit_with_stdin: bool = False) -> int:
    stop = threading.Event()
    if exit_with_stdin:
        threading.Thread(target=_watch_stdin, args=(stop,), name="stdin-watch", daemon=True).start()
    previous = None
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:

        def on_term(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = signal.signal(signal.SIGTERM, on_term)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if in_main and previous is not None:
            signal.signal(signal.SIGTERM, previous)
        print("Sandbox stopped.", flush=True)
    return 0
