"""The ``motcua`` command: one console script for every part of the system.

Each part adds its subcommands through a ``register(subcommands)`` function
in its own ``cli`` module; this entry point imports every one of them by
name in ``build_parser``, the one place the command tree is wired. Library
errors become one-line messages here, at the edge, never tracebacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .cli_support import CommandError

SERVER_COMMANDS = ("init", "serve", "user", "device", "demo")
"""The queue server's own commands: running them needs none of the other parts' command modules."""


def build_parser(with_parts: bool = True) -> argparse.ArgumentParser:
    """The command tree; ``with_parts`` adds the commands of the parts that are installed."""
    parser = argparse.ArgumentParser(prog="motcua", description="Một cửa: queue, kiosk, display and printing.")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    subcommands.required = True
    from . import commands

    commands.register(subcommands)
    if with_parts:
        _register_parts(subcommands)
    return parser


def _register_parts(subcommands: argparse._SubParsersAction) -> None:
    """The other parts' commands, imported only when needed: `motcua serve` starts without them."""
    from display import cli as display_cli
    from kiosk import cli as kiosk_cli
    from printers import cli as printers_cli

    from . import backup_cli, service_cli
    from .catalog import cli as catalog_cli
    from .hub import cli as hub_cli
    from .reports import cli as reports_cli

    for module in (catalog_cli, reports_cli, printers_cli, kiosk_cli, display_cli, service_cli, backup_cli,
                   hub_cli):
        module.register(subcommands)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``motcua`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # `motcua serve` starts faster without importing the kiosk, display and printer commands.
    parser = build_parser(with_parts=not (argv and argv[0] in SERVER_COMMANDS))
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int | None] = args.handler
    try:
        return handler(args) or 0
    except KeyboardInterrupt:
        return 130
    except CommandError as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # ConfigError and friends carry a readable message
        from .config import ConfigError

        if isinstance(exc, ConfigError):
            print(f"motcua: configuration error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
