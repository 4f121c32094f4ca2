"""Scenes as files: every format the page offers (``exports.formats``), the command line
(``python -m exports``) and the PyTorch script generator (``exports.torch_script``)."""

from .errors import ExportError
from .formats import ANIMATIONS, FORMATS, default_filename, export_bytes, normalize_suffix, unavailable

__all__ = ["ANIMATIONS", "FORMATS", "ExportError", "default_filename", "export_bytes", "normalize_suffix",
           "unavailable"]
