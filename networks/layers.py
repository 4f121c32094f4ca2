r"""The layers of a multilayer perceptron, each forward next to its backward.

Every forward returns its output and what its backward needs; every backward takes the gradient of
the loss with respect to the output and returns the gradients with respect to the inputs and the
parameters. Rows are samples: x is (B, fan_in), W is (fan_in, fan_out), so z = x W + b.
"""

from __future__ import annotations

import numpy as np


def linear(x, W, b):
    z = x @ W
    z += b
    return z


def linear_backward(x, W, dz, need_dx=True):
    """(dx, dW, db); dx is None when the input is the data (need_dx False), which saves a product."""
    return (dz @ W.T if need_dx else None), x.T @ dz, dz.sum(axis=0)


def batchnorm(z, gamma, beta, eps):
    r"""Batch normalization in training mode, as the lecture writes it:
    :math:`\hat z = (z - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}`, :math:`y = \gamma \hat z + \beta`,
    with the minibatch mean and the biased (1/B) variance, as torch normalizes in training."""
    n = 1.0 / len(z)  # sums times 1/B: NumPy's mean costs more than the arithmetic on small batches
    zhat = z - z.sum(axis=0) * n
    inv_std = 1.0 / np.sqrt(np.einsum("ij,ij->j", zhat, zhat) * n + eps)
    zhat *= inv_std
    y = zhat * gamma
    y += beta
    return y, (zhat, inv_std)


def batchnorm_backward(cache, gamma, dy):
    r"""(dz, dγ, dβ). μ and σ² depend on every sample, so with :math:`g = \gamma\, dy`:
    :math:`dz = (g - \overline{g} - \hat z\, \overline{g \hat z}) / \sqrt{\sigma_B^2 + \epsilon}`,
    bars being means over the batch."""
    zhat, inv_std = cache
    n = 1.0 / len(dy)
    dbeta = dy.sum(axis=0)
    dgamma = np.einsum("ij,ij->j", dy, zhat)
    # g = γ dy, so the means of g and g ẑ are γ dβ/B and γ dγ/B
    dz = zhat * (-gamma * dgamma * n)
    dz += dy * gamma
    dz -= gamma * dbeta * n
    dz *= inv_std
    return dz, dgamma, dbeta


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of the softmax of ``logits`` (B, C) against integer labels ``y`` (B,),
    through a shifted log-sum-exp that neither overflows nor takes the log of 0."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = np.mean(np.log(total[:, 0]) - shifted[rows, y])
    return loss, (e / total, y)


def softmax_cross_entropy_backward(cache):
    """d loss / d logits = (softmax - one_hot(y)) / B."""
    p, y = cache
    d = p.copy()
    d[np.arange(len(y)), y] -= 1.0
    return d / len(y)
