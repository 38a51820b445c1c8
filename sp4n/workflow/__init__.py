"""HOW: the engine that applies commands and deadlines to complaints."""

__all__: list[str] = []
