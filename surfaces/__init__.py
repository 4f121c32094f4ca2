"""2-D loss surfaces with analytic gradients and Hessians, and the ``SURFACES`` registry."""

from .base import Surface
from .library import SURFACES

__all__ = ["SURFACES", "Surface"]
