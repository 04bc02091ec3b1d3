"""Command line: migrate the database named by DATABASE_URL (`python -m storage.migrate`).

Equivalent to `alembic upgrade head` from the repository root, but needs no alembic.ini, so it
also works where only the package is deployed. `python -m storage.migrate downgrade base`
removes everything; any other Alembic revision may be given in place of `head` or `base`.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence
from enum import StrEnum

from alembic import command

from storage.db import DEFAULT_DATABASE_URL, alembic_config


class Direction(StrEnum):
    """Which way to move the schema."""

    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m storage.migrate",
        description=f"Migrate the database named by DATABASE_URL (default {DEFAULT_DATABASE_URL}).",
    )
    parser.add_argument(
        "direction",
        nargs="?",
        type=Direction,
        choices=list(Direction),
        default=Direction.UPGRADE,
    )
    parser.add_argument(
        "revision",
        nargs="?",
        default=None,
        help="target revision (default: head when upgrading; required when downgrading)",
    )
    arguments = parser.parse_args(argv)
    if arguments.revision is None:
        if arguments.direction is Direction.DOWNGRADE:
            parser.error("downgrade needs a target revision, e.g. base")
        arguments.revision = "head"
    return arguments


def main(argv: Sequence[str] | None = None) -> None:
    """Run Alembic for DATABASE_URL; the URL is read here, once, and passed on explicitly."""
    arguments = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s [%(name)s] %(message)s")
    config = alembic_config(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    if arguments.direction is Direction.UPGRADE:
        command.upgrade(config, arguments.revision)
    else:
        command.downgrade(config, arguments.revision)


if __name__ == "__main__":
    main()
