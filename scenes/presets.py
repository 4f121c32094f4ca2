"""The prepared scenes: each tells one of the lecture's stories, with a caption saying what to watch.

Every caption is a claim about the figure; tests/scenes/test_preset_stories.py measures each one.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Scene, same_story
from .text import parse_runs


@dataclass(frozen=True)
class Preset:
    title: str
    caption: str
    scene: Scene


PRESETS: dict[str, Preset] = {
    "beale": Preset(
        "Beale's function",
        "Radford's classic: from (1, 1.5) the adaptive methods turn into the curved valley towards (3, 0.5) "
        "while SGD inches along; momentum overshoots and NAG corrects it.",
        Scene("beale", parse_runs("sgd(lr=0.001),momentum(lr=0.001),nag(lr=0.001),adagrad(lr=0.3),"
                                  "adadelta(lr=1),rmsprop(lr=0.01),adam(lr=0.03)"), steps=500)),
    "long_valley": Preset(
        "The long valley",
        "A ravine with steep walls and a gentle floor: SGD bounces from wall to wall and barely moves along "
        "the floor; momentum swings across but builds up speed along it; RMSProp and Adam rescale the two "
        "directions and head straight down the valley.",
        Scene("ravine", parse_runs("sgd(lr=0.05),momentum(lr=0.01),nag(lr=0.01),rmsprop(lr=0.03),adam(lr=0.1)"),
              steps=300)),
    "saddle": Preset(
        "The saddle point",
        "Starting almost on the ridge of x² − y²: plain SGD stays stuck where the gradient across the ridge is "
        "tiny; momentum escapes slowly; the adaptive methods rescale that tiny gradient and break the "
        "symmetry first, Adadelta fastest.",
        Scene("saddle", parse_runs("sgd(lr=0.01),momentum(lr=0.002),nag(lr=0.002),adagrad(lr=0.05),"
                                   "adadelta(lr=1),rmsprop(lr=0.005),adam(lr=0.005)"),
              steps=200, view="3d")),
    "noisy_moons": Preset(
        "The noisy moons",
        "A two-weight logistic regression on a small moons data set, trained on minibatches of 16: the gradient "
        "is noisy, so every run jitters around the minimum instead of settling; the faint lines are other "
        "seeds of the same run.",
        Scene("noisy_moons", parse_runs("sgd(lr=0.3),momentum(lr=0.03),adam(lr=0.1)"), steps=300, seeds=5)),
    "banana": Preset(
        "The banana valley",
        "Rosenbrock's curved valley: every method finds the valley quickly; following its floor to (1, 1) "
        "separates them.",
        Scene("rosenbrock", parse_runs("sgd(lr=0.001),momentum(lr=0.001),nag(lr=0.001),adam(lr=0.1),"
                                       "rmsprop(lr=0.01)"), steps=1000)),
}


def preset_of(scene: Scene) -> str | None:
    """The key of the preset that ``scene`` shows (however it is viewed), or None."""
    return next((key for key, p in PRESETS.items() if same_story(p.scene, scene)), None)
