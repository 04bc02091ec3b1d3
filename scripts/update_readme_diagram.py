"""Rewrites the procedure diagram in README.md from the transition table (domain/procedure.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.procedure import mermaid_state_diagram

START = "<!-- procedure-diagram:start -->"
END = "<!-- procedure-diagram:end -->"
README = Path(__file__).resolve().parents[1] / "README.md"


def diagram_block() -> str:
    return f"{START}\n```mermaid\n{mermaid_state_diagram().rstrip()}\n```\n{END}"


def with_diagram(readme: str) -> str:
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + diagram_block() + tail


if __name__ == "__main__":
    README.write_text(with_diagram(README.read_text(encoding="utf-8")), encoding="utf-8")
