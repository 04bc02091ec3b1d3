"""Application services: load, check, decide and persist in one transaction, without Teams."""
