"""WHERE: where complaints, their history and their timers live."""

__all__: list[str] = []
