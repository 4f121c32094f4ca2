"""The one error of the exports."""


class ExportError(ValueError):
    """An export that cannot be made as asked; the message says why and what would work."""
