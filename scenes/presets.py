"""The prepared scenes: each tells one of the lecture's stories, with a caption saying what to watch.

Every caption is a claim about the figure: scenes.stories measures each one (the page prints the
numbers, tests/scenes/test_preset_stories.py checks that they hold).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Scene, same_story
from .text import parse_runs, parse_schedule


@dataclass(frozen=True)
class Preset:
    title: str
    caption: str  # what to watch, in a sentence or two: the page shows it above the figure
    scene: Scene
    detail: str = ""  # the longer story, shown with the measured numbers under "What the numbers say"


BEALE_RUNS = ("sgd(lr=0.001),momentum(lr=0.0025),nag(lr=0.0025),adagrad(lr=0.5),adadelta(lr=1,eps=0.001,rho=0.99),"
              "rmsprop(lr=0.02),adam(lr=0.2)")

PRESETS: dict[str, Preset] = {
    "beale": Preset(
        "Beale's function",
        "Momentum overshoots onto the far plateau and does not come back: overshooting does not win. Nesterov's "
        "look-ahead corrects it and arrives first; Adagrad, Adadelta and RMSProp arrive about equally well; SGD is "
        "slow.",
        Scene("beale", parse_runs(BEALE_RUNS), steps=500, start=(2.5, 1.5)),
        "Radford's classic race, from (2.5, 1.5) down into the curved valley towards the minimum at (3, 0.5). "
        "Momentum's speed carries it across the valley and out onto the far plateau, and it does not come back "
        "within the 500 steps. At the same learning rate Nesterov's look-ahead swings less far, turns, and arrives "
        "first. Adagrad, Adadelta and RMSProp arrive within a factor of two of each other and without "
        "overshooting; Adam arrives with them; SGD has not arrived after 500 steps. Adadelta runs with eps=0.001 "
        "and rho=0.99: with torch's defaults (eps=1e-6, rho=0.9) its first steps move each coordinate by only "
        "√(eps/(1 − rho)) ≈ 0.003 and it needs more than 400 steps to arrive. Arrived: f − f* ≤ 0.01."),
    "long_valley": Preset(
        "The long valley",
        "SGD gets almost nowhere along the floor. Momentum and NAG oscillate across it from wall to wall, yet get "
        "more than five times as far as SGD; RMSProp and Adam reach the bottom with at most a swing or two.",
        Scene("ravine", parse_runs("sgd(lr=0.005),momentum(lr=0.001,momentum=0.97),nag(lr=0.001,momentum=0.97),"
                                      "rmsprop(lr=0.03),adam(lr=0.1)"), steps=300),
        "A ravine whose walls are 72 times more curved than its gently falling floor, starting high on a wall. "
        "After 300 steps SGD has covered less than a tenth of the way to the minimum. Momentum and NAG (momentum "
        "0.97) swing from wall to wall while the speed they build up along the floor carries them on; RMSProp and "
        "Adam rescale the two directions."),
    "saddle": Preset(
        "The saddle point",
        "Adadelta escapes fastest; Adagrad and RMSProp escape alike and Adam follows; momentum and NAG are slow; "
        "SGD stays trapped near the ridge.",
        Scene("saddle", parse_runs("sgd(lr=0.01),momentum(lr=0.003),nag(lr=0.003),adagrad(lr=0.05),"
                                      "adadelta(lr=1),rmsprop(lr=0.005),adam(lr=0.005)"), steps=200, view="3d"),
        "Starting almost on the ridge of x² − y², at (1, 0.001), where the gradient across the ridge is tiny. "
        "Adagrad and RMSProp escape within a few steps of each other; momentum and NAG need well over a hundred "
        "steps to build up speed; plain SGD stays trapped near the ridge for the whole scene. Escaped: |y| ≥ 1."),
    "noisy_moons": Preset(
        "The noisy moons",
        "Minibatches of 16 make the gradient noisy, so every run jitters around the minimum instead of settling; "
        "the faint lines are other seeds of the same run.",
        Scene("noisy_moons", parse_runs("sgd(lr=0.3),momentum(lr=0.03),adam(lr=0.1)"), steps=300, seeds=5),
        "A two-weight logistic regression on a small moons data set, trained on minibatches of 16."),
    "torch_vs_lecture": Preset(
        "Torch's forms and the lecture's",
        "Torch's momentum (solid) and the lecture's (dashed) run the same path to rounding for the first 150 "
        "steps. When the rate drops tenfold at step 150, torch's next step is a tenth as long; the lecture's "
        "coasts on.",
        Scene("ravine", parse_runs("momentum(lr=0.003,momentum=0.97),momentum_lecture(lr=0.003,momentum=0.97),"
                                   "rmsprop(lr=0.1,eps=1),rmsprop_lecture(lr=0.1,eps=1)"),
              *parse_schedule("step(step_size=150,gamma=0.1)"), steps=300, start=(-8.0, 0.5)),
        "Torch's momentum multiplies its whole buffer b by the new rate, so the drop shortens its next step "
        "tenfold; the lecture's velocity v keeps the speed the old rate gave it, covering more than twice the distance "
        "after the drop, and ends nearer the minimum. RMSProp with ϵ = 1 splits from the first step: torch adds "
        "ϵ after the root, √v + ϵ, the lecture inside it, √(v + ϵ), a smaller divisor, so the lecture's first step "
        "is about a third longer and it ends more than twice as near the minimum. The step inspector shows each "
        "form's own rule with its numbers."),
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
