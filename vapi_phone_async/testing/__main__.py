"""`python -m vapi_phone_async.testing`: serve a seeded FakeVapiServer until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from ._server import FakeVapiServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vapi_phone_async.testing",
        description="Serve a fake Vapi Phone Numbers API on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--numbers", type=int, default=0, help="numbers to seed (default 0)")
    parser.add_argument("--api-key", default="test-key", help="the bearer key to accept")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated numbers")
    parser.add_argument(
        "--tie-rate",
        type=float,
        default=0.0,
        help="share of numbers sharing the previous number's createdAt millisecond",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before answers")
    parser.add_argument(
        "--no-cursors", action="store_true", help="ignore `cursor`, never return nextCursor"
    )
    return parser


async def serve(args: argparse.Namespace) -> None:
    """Start the server, print where it is, and wait for SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not on Windows: there Ctrl+C still raises KeyboardInterrupt, handled in main().
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    # Served until interrupted: keep the request log from growing without end.
    server = FakeVapiServer(
        api_key=args.api_key,
        port=args.port,
        cursors=not args.no_cursors,
        seed=args.seed,
        max_log=10_000,
    )
    server.latency = args.latency
    server.seed(args.numbers, seed=args.seed, tie_rate=args.tie_rate)
    async with server:
        # The first line is for scripts: the URL, then the key.
        print(f"{server.url} {args.api_key}", flush=True)
        print(
            f"Fake Vapi server with {len(server.numbers)} numbers on {server.url}"
            f" (Authorization: Bearer {args.api_key}); Ctrl+C stops it.",
            flush=True,
        )
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
