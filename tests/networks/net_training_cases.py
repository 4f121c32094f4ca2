"""The cases of the schedule-training parity tests: one network, one seed, one schedule per case, in our
names and in torch.optim.lr_scheduler's. Imports no torch (the literal test runs without it)."""

from networks import init_mlp
from networks.problem import NetworkProblem
from optimizers import OPTIMIZERS, SCHEDULES

PROBLEM = NetworkProblem(depth=2, width=16, activation="tanh", init="xavier", batch_size=32)
STEPS = 120
SEED = 3

# id -> (schedule key, our settings, torch scheduler class, its arguments, SGD momentum)
CASES = {
    "multistep": ("multistep", {"lr": 0.2, "milestones": (40, 80), "gamma": 0.1},
                  "MultiStepLR", {"milestones": [40, 80], "gamma": 0.1}, 0.9),
    "multistep-sgd": ("multistep", {"lr": 0.2, "milestones": (40, 80), "gamma": 0.1},
                      "MultiStepLR", {"milestones": [40, 80], "gamma": 0.1}, 0.0),
    "polynomial": ("polynomial", {"lr": 0.2, "total_iters": STEPS, "power": 1.0},
                   "PolynomialLR", {"total_iters": STEPS, "power": 1.0}, 0.9),
    "cosine": ("cosine", {"lr": 0.2, "T_max": STEPS}, "CosineAnnealingLR", {"T_max": STEPS}, 0.9),
    "cyclic": ("cyclic", {"base_lr": 0.05, "max_lr": 0.2, "step_size_up": 30},
               "CyclicLR", {"base_lr": 0.05, "max_lr": 0.2, "step_size_up": 30, "cycle_momentum": False}, 0.9),
    "onecycle": ("onecycle", {"max_lr": 0.3, "total_steps": STEPS, "div_factor": 4.0},
                 "OneCycleLR", {"max_lr": 0.3, "total_steps": STEPS, "div_factor": 4.0, "cycle_momentum": False}, 0.9),
}


def initial_params():
    """The weights ``PROBLEM.fit(..., seed=SEED)`` starts from."""
    x, y = PROBLEM.arrays()[:2]
    return init_mlp([x.shape[1], PROBLEM.width, PROBLEM.width, int(y.max()) + 1], PROBLEM.activation, PROBLEM.init,
                    SEED)


def ours(case_id):
    """Our run of a case: a TrainResult."""
    key, settings, _, _, momentum = CASES[case_id]
    sgd = OPTIMIZERS["sgd"].factory(momentum=momentum)
    return PROBLEM.fit(SCHEDULES[key].factory(**settings), STEPS, optimizer=sgd, seed=SEED)
