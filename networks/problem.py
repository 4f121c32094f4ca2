"""A network problem: an MLP of the ``networks`` package on a real data set, with a seeded train/test split.

One small frozen value names everything a lab needs to train the same network again: the data
(scikit-learn's digits or the moons), the split, the layers and the minibatch size. ``fit`` trains it
with any optimizer and schedule; the initialization and the minibatch order come from its ``seed``,
so runs with one seed and different learning rates start from the same weights and see the same
batches in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from numbers import Real

import numpy as np

from .activations import ACTIVATIONS
from .data import digits, moons, split
from .mlp import INITS
from .train import TrainResult, _check_int, train

PROBLEM_DATA = ("digits", "moons")
MAX_HIDDEN_LAYERS = 4  # bounds that keep a range test under a second (benchmarks/lr_range.py)
MAX_HIDDEN_WIDTH = 256
MAX_MOONS = 4000
MAX_WORK = 2_000_000_000  # multiply-adds (minibatch rows × weights × updates) one computation may ask: ~2 s here


@dataclass(frozen=True)
class NetworkProblem:
    """An MLP on a data set, trained on minibatches.

    data: "digits" (1797 images of 8 × 8 pixels, 10 classes; ``networks.digits``) or "moons" (``n`` points,
    ``networks.make_data("moons")``, 2 classes). The rows are split by ``networks.split`` with
    ``test_fraction`` and ``split_seed``. The network has ``depth`` hidden layers of ``width`` units
    (1 to MAX_HIDDEN_LAYERS of 2 to MAX_HIDDEN_WIDTH), ``activation`` after each, initialized by ``init``.
    Every bad value raises ValueError naming the valid range.
    """

    data: str = "digits"
    depth: int = 1
    width: int = 64
    activation: str = "tanh"
    init: str = "xavier"
    batch_size: int = 32
    test_fraction: float = 0.25
    split_seed: int = 0
    n: int = 1000  # moons only

    def __post_init__(self):
        if self.data not in PROBLEM_DATA:
            raise ValueError(f"unknown data set {self.data!r}; valid data sets are: {', '.join(PROBLEM_DATA)}")
        _check_int(self.depth, "depth (hidden layers)", 1, MAX_HIDDEN_LAYERS)
        _check_int(self.width, "width (units per hidden layer)", 2, MAX_HIDDEN_WIDTH)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; valid activations are: {', '.join(ACTIVATIONS)}")
        if self.init not in INITS:
            raise ValueError(f"unknown init {self.init!r}; valid inits are: {', '.join(INITS)}")
        _check_int(self.n, "n (moons points)", 20, MAX_MOONS)
        _check_int(self.split_seed, "split_seed", 0, 2**32 - 1)
        frac = self.test_fraction
        if isinstance(frac, bool) or not isinstance(frac, Real) or not 0.05 <= frac <= 0.5:
            raise ValueError(f"test_fraction must be a number from 0.05 to 0.5, not {frac!r}")
        _check_int(self.batch_size, "batch_size", 2, self.train_size)

    @property
    def train_size(self) -> int:
        """Rows in the training split."""
        rows = 1797 if self.data == "digits" else self.n
        return rows - min(max(round(self.test_fraction * rows), 1), rows - 1)

    @property
    def weights(self) -> int:
        """The number of trained parameters, weights and biases."""
        inputs, classes = (64, 10) if self.data == "digits" else (2, 2)
        sizes = [inputs, *[self.width] * self.depth, classes]
        return sum((i + 1) * o for i, o in pairwise(sizes))

    def check_work(self, updates: int, what: str) -> None:
        """ValueError unless ``updates`` minibatch updates stay within MAX_WORK multiply-adds."""
        per_update = self.batch_size * self.weights
        if updates * per_update > MAX_WORK:
            raise ValueError(f"{what} may take at most {MAX_WORK // per_update:,} minibatch updates on this network "
                             f"({self.weights:,} weights, minibatches of {self.batch_size}), not {updates:,}: "
                             "use fewer iterations or rates, smaller minibatches or a smaller network")

    @property
    def steps_per_epoch(self) -> int:
        """Minibatches in one pass over the training split (the tail that fills no batch is dropped)."""
        return self.train_size // self.batch_size

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(x_train, y_train, x_test, y_test)``, read-only and cached."""
        return _arrays(self.data, self.n, self.test_fraction, self.split_seed)

    def fit(self, lr, steps: int, *, optimizer="sgd", seed: int = 0, eval_at=(), progress=None) -> TrainResult:
        """Train for ``steps`` minibatches with ``lr`` (a rate or a schedule ``step -> lr``) and ``optimizer``
        (a key of OPTIMIZERS or an Optimizer); ``seed`` draws the initialization and the minibatch order.
        The test split is evaluated at the end and, with the training split, after each count of
        ``eval_at`` (see ``networks.train``)."""
        x, y, x_test, y_test = self.arrays()
        return train(x, y, depth=self.depth, width=self.width, activation=self.activation, init=self.init,
                     optimizer=optimizer, lr=lr, steps=steps, batch_size=self.batch_size, seed=seed,
                     test=(x_test, y_test), eval_at=eval_at, progress=progress)


@lru_cache(maxsize=16)
def _arrays(data, n, test_fraction, split_seed):
    x, y = digits() if data == "digits" else moons(n=n, seed=split_seed)
    out = split(x, y, test_fraction, split_seed)
    for a in out:
        a.setflags(write=False)
    return out
