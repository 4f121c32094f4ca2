"""2-D loss surfaces with analytic gradients and Hessians, and the ``SURFACES`` registry."""

from .base import Surface
from .expression import from_expression
from .library import SURFACES
from .moons import noisy_moons

SURFACES["noisy_moons"] = noisy_moons()

__all__ = ["SURFACES", "Surface", "from_expression"]
