'''The lecture's three forms as ``torch.optim.Optimizer`` subclasses, as source text: the one text the
``.py`` export writes into its scripts and the tests execute to compare with ``lecture.py``.

``TORCH_CLASSES[key] = (class name, source)``; the source needs ``torch`` in its namespace. Each class
keeps its state in ``optimizer.state[p]`` under the names of ``lecture.py``'s state fields
(``velocity``, ``square_avg``), so the runner's ``states`` compare with it as with torch's own classes.
The Nesterov form also has ``look_ahead(p)``, the point where the next gradient is to be taken.
'''

from __future__ import annotations

TORCH_CLASSES: dict[str, tuple[str, str]] = {
    "momentum_lecture": ("MomentumLecture", '''
class MomentumLecture(torch.optim.Optimizer):
    """The lecture's momentum, v_t = mu v_{t-1} - lr_t g_t, w_t = w_{t-1} + v_t (v_0 = 0): the learning
    rate sits inside the velocity. g_t is the gradient plus weight_decay * w (coupled L2)."""

    def __init__(self, params, lr, momentum=0.9, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                v = state.get("velocity", torch.zeros_like(p))
                wd = group["weight_decay"]
                g = p.grad + wd * p if wd else p.grad
                v = group["momentum"] * v - group["lr"] * g
                p.copy_(p + v)
                state["velocity"] = v
'''),
    "nag_lecture": ("NesterovLecture", '''
class NesterovLecture(torch.optim.Optimizer):
    """The lecture's Nesterov momentum, v_t = mu v_{t-1} - lr_t grad E(w_{t-1} + mu v_{t-1}),
    w_t = w_{t-1} + v_t (v_0 = 0): the gradient is taken at the look-ahead point, which
    look_ahead(p) gives. Weight decay adds weight_decay times the look-ahead point."""

    def __init__(self, params, lr, momentum=0.9, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def look_ahead(self, p):
        v = self.state[p].get("velocity", torch.zeros_like(p))
        return p + self.param_groups[0]["momentum"] * v

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                v = state.get("velocity", torch.zeros_like(p))
                wd = group["weight_decay"]
                g = p.grad + wd * (p + group["momentum"] * v) if wd else p.grad
                v = group["momentum"] * v - group["lr"] * g
                p.copy_(p + v)
                state["velocity"] = v
'''),
    "rmsprop_lecture": ("RMSpropLecture", '''
class RMSpropLecture(torch.optim.Optimizer):
    """The lecture's RMSProp, eps inside the square root: s_t = alpha s_{t-1} + (1 - alpha) g_t^2,
    w_t = w_{t-1} - lr_t g_t / sqrt(s_t + eps). g_t is the gradient plus weight_decay * w."""

    def __init__(self, params, lr, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                s = state.get("square_avg", torch.zeros_like(p))
                wd, alpha = group["weight_decay"], group["alpha"]
                g = p.grad + wd * p if wd else p.grad
                s = s * alpha + ((1.0 - alpha) * g) * g
                p.copy_(p + (-group["lr"] * g) / torch.sqrt(s + group["eps"]))
                state["square_avg"] = s
'''),
}
