"""The README's procedure diagram is drawn from the transition table, so it cannot go stale."""

from __future__ import annotations

from scripts.update_readme_diagram import README, with_diagram


def test_the_readme_diagram_matches_the_transition_table() -> None:
    readme = README.read_text(encoding="utf-8")
    assert readme == with_diagram(readme), (
        "README.md's diagram is out of date: run python scripts/update_readme_diagram.py"
    )


def test_the_readme_names_the_two_commands() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "./scripts/start-local.sh" in readme
    assert "./scripts/test.sh" in readme
