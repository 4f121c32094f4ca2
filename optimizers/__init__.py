"""NumPy optimizers, learning-rate schedules and the trajectory runner; the OPTIMIZERS and SCHEDULES
registries."""

from . import adam, sgd
from .base import Optimizer
from .runner import Trajectory, run
from .spec import Param, Registry, Spec, UnknownName

OPTIMIZERS = Registry("optimizer", (*sgd.SPECS, *adam.SPECS))

__all__ = ["OPTIMIZERS", "Optimizer", "Param", "Registry", "Spec", "Trajectory", "UnknownName", "run"]
