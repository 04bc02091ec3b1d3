"""Shared pytest set-up: fixtures for databases live in tests/support and are loaded here."""

pytest_plugins = ["tests.support.databases"]
