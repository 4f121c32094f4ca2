"""A scene: everything the explorer shows, as one immutable, hashable value.

The same value is read from a shared link's query parameters, from the command line, from a JSON
file and from the page's widgets, and written back to each (``scenes.links``); ``scenes.compute``
turns it into trajectories. A ``RunSpec`` is valid once it exists: its optimizer, learning rate and
settings are checked when it is made, and never again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from optimizers import OPTIMIZERS
from surfaces import SURFACES, from_expression

CUSTOM = "custom"  # the surface key of a formula the user typed
MAX_RUNS = 12
MAX_NOISE = 5.0
MAX_START = 1e6
MAX_RUN_STEPS = 200_000  # runs x seeds x steps of one scene: what one uncached link may ask to compute
MAX_SCENE_STEPS = 5000
MAX_SEEDS = 8
MAX_TEXT = 2000  # characters of any one query parameter or command-line value
VIEWS = ("map", "3d")


def non_defaults(spec, values: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The settings that differ from the spec's defaults, sorted, the run's rate left out."""
    defaults = spec.defaults()
    return tuple(sorted((k, v) for k, v in values.items() if k != "lr" and v != defaults.get(k)))


@dataclass(frozen=True)
class RunSpec:
    """One run: an optimizer, its learning rate, and the hyperparameters that differ from torch's
    defaults, as sorted (name, value) pairs so that equal runs compare and hash equal.

    Made from any values (``params`` may hold defaults, in any order, as text or numbers), it checks
    them once and keeps their canonical form; ValueError says what is valid."""

    optimizer: str
    lr: float
    params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self):
        spec = OPTIMIZERS[self.optimizer]
        object.__setattr__(self, "lr", float(spec.lr.validate(self.lr, spec.title)))
        object.__setattr__(self, "params", non_defaults(spec, spec.validate(dict(self.params))))

    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)

    def settings(self) -> dict[str, Any]:
        """Every hyperparameter but the rate: the spec's defaults updated with this run's."""
        return {**OPTIMIZERS[self.optimizer].defaults(), **self.kwargs()}

    def optimizer_object(self):
        """The optimizer this run runs, built from values that were checked when the run was made."""
        return OPTIMIZERS[self.optimizer].make(**self.settings())

    def rule(self) -> str:
        """The update rule, in LaTeX, that this run's settings run."""
        return OPTIMIZERS[self.optimizer].rule(self.kwargs())


DEFAULT_RUNS = (RunSpec("sgd", 0.001), RunSpec("momentum", 0.001), RunSpec("adam", 0.05))


@dataclass(frozen=True)
class Scene:
    surface: str = "beale"
    runs: tuple[RunSpec, ...] = field(default_factory=lambda: DEFAULT_RUNS)
    schedule: str = "constant"
    schedule_params: tuple[tuple[str, Any], ...] = ()
    steps: int = 300
    start: tuple[float, float] | None = None  # None: the surface's own start
    noise: float = 0.0
    seeds: int = 1
    view: str = "map"
    presentation: bool = False
    formula: str = ""  # the user's own surface, when surface == CUSTOM
    locked: bool = False  # a teacher's link for the class: the scene and its animation, nothing to edit

    def start_point(self) -> tuple[float, float]:
        return self.start if self.start is not None else tuple(surface_of(self).start)


@lru_cache(maxsize=64)
def custom_surface(formula: str):
    """The Surface of a typed formula (surfaces.from_expression; ValueError says what is wrong)."""
    return from_expression(formula)


def surface_of(scene: Scene):
    return custom_surface(scene.formula) if scene.surface == CUSTOM else SURFACES[scene.surface]


def same_story(a: Scene, b: Scene) -> bool:
    """The same scene but for how it is shown (the view, the presentation mode, locked or not)."""
    return replace(a, view=b.view, presentation=b.presentation, locked=b.locked) == b
