"""The vanishing-gradient lab's computations and its "What to try" list, each suggestion measured.

A stack is (activation, init, batch norm); the page measures two of them of the same depth and width on
the same data: once at initialization (``at_initialization``) and during training (``trained``). Every
sentence of ``TRIES`` claims something a student will see after changing the controls as it says;
``claims`` measures each claim on the lab's defaults (``networks.DEFAULTS``), as scenes.stories does for
the explorer's presets, and tests/pages/test_vanishing_tries.py checks that every row holds.
"""

from __future__ import annotations

import networks
from networks import DEFAULTS

from .stories import Claim

STACKS = (("A", "sigmoid", "xavier"), ("B", "relu", "he"))  # the page's two stacks as they start

TRIES = (
    "**Batch norm on stack A**: its first layer's gradient rises from about 1e-13 to about 10, "
    "and it learns the spirals.",
    "**6 hidden layers instead of 20**: stack A's first layer gets about 3e-3 of the last one's gradient, "
    "not about 1e-11.",
    "**Stack A on tanh**: the ratio is about 1, since tanh′(0) = 1 where σ′(0) = 1/4.",
    "**Stack B with a normal initialization** (std 1): its gradients are over 1e14 times He's and "
    "training diverges at step 1.",
)


def data(batch: int | None = None):
    """The lab's spirals; the first ``batch`` points where given (the batch measured at initialization)."""
    x, y = networks.make_data(DEFAULTS["data"], n=DEFAULTS["n"], seed=DEFAULTS["seed"])
    return (x, y) if batch is None else (x[:batch], y[:batch])


def at_initialization(depth: int, width: int, batch: int, act: str, init: str, bn: bool) -> networks.LayerStats:
    """One forward and backward pass of a freshly initialized stack on the first ``batch`` points."""
    x, y = data(batch)
    sizes = [x.shape[1], *[width] * depth, 2]
    params = networks.init_mlp(sizes, act, init, seed=DEFAULTS["seed"])
    norm = networks.init_batchnorm(sizes) if bn else None
    return networks.layer_stats(params, x, y, act, batchnorm=norm)


def trained(depth: int, width: int, batch: int, steps: int, act: str, init: str, bn: bool,
            progress=None) -> networks.TrainResult:
    """``steps`` minibatches of SGD with momentum (the lab's defaults) from the same initialization."""
    x, y = data()
    return networks.train(x, y, depth=depth, width=width, activation=act, init=init, batchnorm=bn,
                          batch_size=batch, steps=steps, optimizer=DEFAULTS["optimizer"], lr=DEFAULTS["lr"],
                          seed=DEFAULTS["seed"], progress=progress)


def claims() -> list[Claim]:
    """Every claim of TRIES measured on the defaults (depth 20, width 64, batch 128, 300 steps)."""
    depth, width, batch, steps = DEFAULTS["depth"], DEFAULTS["width"], DEFAULTS["batch_size"], DEFAULTS["steps"]

    def init(act, ini, bn=False, d=depth):
        return at_initialization(d, width, batch, act, ini, bn).grad_norms

    plain, normed = init("sigmoid", "xavier")[0], init("sigmoid", "xavier", True)[0]
    learnt = trained(depth, width, batch, steps, "sigmoid", "xavier", True).accuracy
    shallow = networks.first_last_ratio(init("sigmoid", "xavier", d=6))
    deep = networks.first_last_ratio(init("sigmoid", "xavier"))
    tanh = networks.first_last_ratio(init("tanh", "xavier"))
    he, normal = init("relu", "he")[0], init("relu", "normal")[0]
    blown = trained(depth, width, batch, 5, "relu", "normal", False).diverged_at
    return [
        Claim("rises from about 1e-13", "‖∂L/∂W₁‖ of stack A without batch norm", plain, "1e-14 to 1e-12",
              1e-14 < plain < 1e-12),
        Claim("to about 10", "‖∂L/∂W₁‖ of stack A with batch norm", normed, "3 to 30", 3 < normed < 30),
        Claim("it learns the spirals", f"training accuracy of stack A with batch norm after {steps} steps", learnt,
              "at least 0.95", learnt >= 0.95),
        Claim("gets about 3e-3 of the last one's gradient", "first_last_ratio of stack A at depth 6", shallow,
              "1e-3 to 1e-2", 1e-3 < shallow < 1e-2),
        Claim("not about 1e-11", "first_last_ratio of stack A at depth 20", deep, "3e-12 to 3e-11",
              3e-12 < deep < 3e-11),
        Claim("the ratio is about 1", "first_last_ratio of a tanh stack (Xavier) at depth 20", tanh, "0.3 to 3",
              0.3 < tanh < 3),
        Claim("its gradients are over 1e14 times He's", "‖∂L/∂W₁‖, normal over He, stack B", normal / he,
              "above 1e14", normal / he > 1e14),
        Claim("training diverges at step 1", "diverged_at of stack B with a normal initialization", blown, "1",
              blown == 1),
    ]
