"""support package."""
