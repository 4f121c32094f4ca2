'''The lecture's three forms as ``torch.optim.Optimizer`` subclasses, as source text: the one text the
``.py`` export writes into its scripts and the tests execute to compare with ``lecture.py``.

``TORCH_CLASSES[key] = (class name, source)``; ``torch_source(keys)`` is the runnable text of the classes
of ``keys`` after their shared base, ``LectureOptimizer``, whose ``step`` hands every parameter to the
subclass's ``rule``. The text needs ``torch`` in its namespace. Each class keeps its state in
``optimizer.state[p]`` under the names of ``lecture.py``'s state fields (``velocity``, ``square_avg``),
so the runner's ``states`` compare with it as with torch's own classes. The Nesterov form also has
``look_ahead(p)``, the point where the next gradient is to be taken.
'''

from __future__ import annotations

BASE = '''
class LectureOptimizer(torch.optim.Optimizer):
    """The loop the lecture's forms share: rule(p, g, group, state) updates one parameter, g being its
    gradient plus group["weight_decay"] times the point where the gradient was taken (coupled L2)."""

    def point(self, p):
        return p

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                wd = group["weight_decay"]
                g = p.grad + wd * self.point(p) if wd else p.grad
                self.rule(p, g, group, self.state[p])
'''

TORCH_CLASSES: dict[str, tuple[str, str]] = {
    "momentum_lecture": ("MomentumLecture", '''
class MomentumLecture(LectureOptimizer):
    """The lecture's momentum, v_t = mu v_{t-1} - lr_t g_t, w_t = w_{t-1} + v_t (v_0 = 0): the learning
    rate sits inside the velocity."""

    def __init__(self, params, lr, momentum=0.9, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    def rule(self, p, g, group, state):
        v = group["momentum"] * state.get("velocity", torch.zeros_like(p)) - group["lr"] * g
        p.copy_(p + v)
        state["velocity"] = v
'''),
    "nag_lecture": ("NesterovLecture", '''
class NesterovLecture(MomentumLecture):
    """The lecture's Nesterov momentum, v_t = mu v_{t-1} - lr_t grad E(w_{t-1} + mu v_{t-1}),
    w_t = w_{t-1} + v_t (v_0 = 0): the momentum rule with the gradient taken at the look-ahead point,
    which look_ahead(p) gives; weight decay adds weight_decay times that point."""

    @torch.no_grad()
    def look_ahead(self, p):
        return p + self.param_groups[0]["momentum"] * self.state[p].get("velocity", torch.zeros_like(p))

    point = look_ahead
'''),
    "rmsprop_lecture": ("RMSpropLecture", '''
class RMSpropLecture(LectureOptimizer):
    """The lecture's RMSProp, eps inside the square root: s_t = alpha s_{t-1} + (1 - alpha) g_t^2,
    w_t = w_{t-1} - lr_t g_t / sqrt(s_t + eps)."""

    def __init__(self, params, lr, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay))

    def rule(self, p, g, group, state):
        alpha = group["alpha"]
        s = state.get("square_avg", torch.zeros_like(p)) * alpha + ((1.0 - alpha) * g) * g
        p.copy_(p + (-group["lr"] * g) / torch.sqrt(s + group["eps"]))
        state["square_avg"] = s
'''),
}


BUILT_ON = {"nag_lecture": "momentum_lecture"}  # a class whose text needs another's before it


def torch_source(keys) -> str:
    """The runnable text of the lecture classes of ``keys`` (each once, after the classes they are built
    on), after their base; empty for none."""
    needed = []
    for key in keys:
        for k in (BUILT_ON.get(key), key):
            if k is not None and k not in needed:
                needed.append(k)
    return "".join([BASE, *(TORCH_CLASSES[k][1] for k in needed)]) if needed else ""
