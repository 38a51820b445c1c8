"""The sp4n pytest plugin (registered through the ``pytest11`` entry point)."""
