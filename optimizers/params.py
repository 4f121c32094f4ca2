"""The hyperparameters several optimizers share, defined once: torch.optim's names, valid ranges as
torch checks them, and the widget ranges and labels the pages show."""

from __future__ import annotations

from .spec import Param

COUPLED_L2 = "coupled L2: λθ is added to the gradient"
COUPLED_UNLESS_DECOUPLED = "coupled L2 (λθ added to the gradient) unless decoupled"


def lr_param(default: float, widget: tuple[float, float] = (1e-5, 10.0)) -> Param:
    """torch's ``lr``, the initial rate ε that a schedule may change at every step."""
    return Param("lr", default, low=0.0, widget=widget, log=True, label="learning rate",
                 help="ε, the step size; a schedule may change it at every step")


def weight_decay_param(default: float = 0.0, help: str = COUPLED_L2) -> Param:
    """torch's ``weight_decay`` (λ)."""
    return Param("weight_decay", default, low=0.0, widget=(0.0, 1.0), label="weight decay λ", help=help)


def eps_param(default: float = 1e-8, widget: tuple[float, float] = (1e-10, 1.0)) -> Param:
    """torch's ``eps`` (ϵ), whose default differs between optimizers (Adagrad 1e-10, Adadelta 1e-6)."""
    return Param("eps", default, low=0.0, widget=widget, log=True, label="ϵ")


def momentum_param(default: float) -> Param:
    """torch's ``momentum`` (μ): 0 by default in SGD and RMSprop, 0.9 in the entries that are about it."""
    return Param("momentum", default, low=0.0, widget=(0.0, 0.999), label="momentum μ")


def smoothing_param(label: str) -> Param:
    """RMSprop's ``alpha``, the decay of the running average of g² (the lecture's γ)."""
    return Param("alpha", 0.99, low=0.0, widget=(0.0, 0.9999), label=label)


WEIGHT_DECAY = weight_decay_param()
DECOUPLED_WEIGHT_DECAY = Param("decoupled_weight_decay", False, kind="bool", label="decoupled weight decay",
                               help="shrink θ by ελθ before the step, as AdamW")
EPS = eps_param()
BETAS = Param("betas", (0.9, 0.999), kind="pair", low=0.0, high=1.0, open_high=True,
              widget=(0.0, 0.9999), label="betas (β₁, β₂)")
MOMENTUM = momentum_param(0.9)
DAMPENING = Param("dampening", 0.0, widget=(0.0, 1.0), label="dampening τ")
