"""NumPy optimizers, learning-rate schedules and the trajectory runner; the OPTIMIZERS and SCHEDULES
registries."""

from . import adadelta, adagrad, adam, adamax, lecture, nadam, radam, rmsprop, sgd
from .base import Optimizer
from .runner import StochasticSurface, Trajectory, run
from .schedules import SCHEDULES
from .spec import Param, Registry, Spec, UnknownName

OPTIMIZERS = Registry("optimizer", (*sgd.SPECS, *adagrad.SPECS, *rmsprop.SPECS, *adadelta.SPECS, adam.ADAM,
                                    *adamax.SPECS, *nadam.SPECS, adam.AMSGRAD, adam.ADAMW, *radam.SPECS,
                                    *lecture.SPECS))

__all__ = ["OPTIMIZERS", "SCHEDULES", "Optimizer", "Param", "Registry", "Spec", "StochasticSurface",
           "Trajectory", "UnknownName", "run"]
