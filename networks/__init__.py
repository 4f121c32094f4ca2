"""NumPy multilayer perceptrons with hand-written backward passes, for the vanishing-gradient lab.

``init_mlp`` and ``loss_and_grads`` are the API fixed in DESIGN.md; ``init_batchnorm`` adds batch
normalization's (γ, β), ``layer_stats`` the per-layer diagnostics the page draws, ``train`` minibatch
training with the optimizers of ``optimizers`` (a schedule, a test split), ``make_data`` the small 2-D
data sets, ``digits`` scikit-learn's bundled digits, ``split`` a seeded train/test split, and
``NetworkProblem`` an MLP on a data set as one frozen value (the learning-rate lab's network).
"""

from .activations import ACTIVATIONS, Activation
from .data import DATASETS, digits, make_data, split
from .mlp import (
    BN_EPS,
    INITS,
    MAX_BATCH,
    MAX_DEPTH,
    MAX_WIDTH,
    RECTIFIERS,
    LayerStats,
    UnitHealth,
    dead_share,
    first_last_ratio,
    first_non_finite_layer,
    init_batchnorm,
    init_mlp,
    layer_stats,
    loss_and_grads,
    saturated_share,
    unit_health,
    weight_grad_norms,
)
from .problem import NetworkProblem
from .train import DEFAULTS, MAX_STEPS, TrainResult, train

__all__ = ["ACTIVATIONS", "BN_EPS", "DATASETS", "DEFAULTS", "INITS", "MAX_BATCH", "MAX_DEPTH", "MAX_STEPS",
           "MAX_WIDTH", "RECTIFIERS", "Activation", "LayerStats", "NetworkProblem", "TrainResult", "UnitHealth",
           "dead_share", "digits", "first_last_ratio", "first_non_finite_layer", "init_batchnorm", "init_mlp",
           "layer_stats", "loss_and_grads", "make_data", "saturated_share", "split", "train", "unit_health",
           "weight_grad_norms"]
