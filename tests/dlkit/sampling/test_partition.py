"""dlkit.sampling.partition against brute force over every state, torch and scipy.

RBM quantities are checked by summing exp(-E) over all joint states (v, h) of small
machines; gradients by torch autograd of that brute-force log-likelihood; the NCE loss
by torch's logsigmoid; the fits by scipy's optimisers and closed forms.
"""

from itertools import product

import numpy as np
import pytest
import scipy.optimize
import torch

from dlkit import data, sampling
from dlkit.testing import assert_close
from tests.oracles import gradients

pytestmark = pytest.mark.usefixtures("one_thread")


def states(n):
    return np.array(list(product([0.0, 1.0], repeat=n)))


def small_rbm(n_v, n_h, scale, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0, scale, (n_v, n_h)), rng.normal(0, 0.5, n_v), rng.normal(0, 0.5, n_h)


@pytest.mark.parametrize(("n_v", "n_h", "scale"), [(5, 3, 1.0), (3, 6, 1.0), (4, 4, 200.0)])
def test_free_energy_and_log_z_by_brute_force(n_v, n_h, scale):
    W, b, c = small_rbm(n_v, n_h, scale, seed=n_v)
    V, H = states(n_v), states(n_h)
    neg_energy = (V @ b)[:, None] + (H @ c)[None, :] + V @ W @ H.T  # (2^n_v, 2^n_h)
    top = neg_energy.max()
    log_z = top + np.log(np.exp(neg_energy - top).sum())
    free = -(
        neg_energy.max(axis=1)
        + np.log(np.exp(neg_energy - neg_energy.max(axis=1, keepdims=True)).sum(axis=1))
    )
    assert_close(sampling.rbm_free_energy(V, W, b, c), free, rtol=1e-10, atol=1e-8)
    assert_close(sampling.rbm_log_partition(W, b, c), log_z, rtol=1e-10)
    assert_close(sampling.rbm_log_likelihood(V, W, b, c), -free - log_z, rtol=1e-10, atol=1e-8)
    assert_close(sampling.rbm_energy(V[:1], H[-1:], W, b, c), -neg_energy[:1, -1])


def test_exact_gradient_matches_torch_autograd():
    W, b, c = small_rbm(4, 3, 0.8, seed=1)
    V = states(4)[[1, 5, 6, 15, 15]]
    S = torch.tensor(states(4))
    data_t = torch.tensor(V)

    def mean_loglik(W_t, b_t, c_t):
        free = lambda X: -(X @ b_t) - torch.nn.functional.softplus(X @ W_t + c_t).sum(1)  # noqa: E731
        return -(free(data_t).mean() + torch.logsumexp(-free(S), 0))

    expected = gradients(mean_loglik, W, b, c)
    for got, want in zip(sampling.rbm_exact_gradient(V, W, b, c), expected):
        assert_close(got, want, atol=1e-10)


def test_cd_with_long_chains_approaches_the_exact_gradient():
    W, b, c = small_rbm(4, 3, 0.7, seed=2)
    V = np.repeat(states(4)[[3, 6, 9, 15]], 5000, axis=0)
    exact = np.concatenate([g.ravel() for g in sampling.rbm_exact_gradient(V, W, b, c)])
    cd = np.concatenate([g.ravel() for g in sampling.cd_k_gradient(V, W, b, c, 30, seed=3)])
    assert np.max(np.abs(cd - exact)) < 6 * 0.5 / np.sqrt(len(V))  # each entry's sd <= 1/2
    one = np.concatenate([g.ravel() for g in sampling.cd_k_gradient(V, W, b, c, 1, seed=3)])
    assert one @ exact / np.linalg.norm(one) / np.linalg.norm(exact) > 0.9  # CD-1: same way


def test_persistent_chains_and_training_raise_the_likelihood():
    X_train, _, X_test, _ = data.digits(n_train=400, seed=0)
    V, V_test = data.binarize(X_train), data.binarize(X_test)[:200]
    for persistent in (False, True):
        model = sampling.RBM(64, 8, seed=0)
        history = model.fit(
            V, epochs=4, lr=0.1, batch_size=16, persistent=persistent, V_eval=V_test, progress=False
        )
        assert history["epoch"] == [1, 2, 3, 4]
        assert history["log_likelihood"][-1] > history["log_likelihood"][0] + 0.2
    samples = model.sample(5, k=10, seed=1)
    assert samples.shape == (5, 64) and set(np.unique(samples)) <= {0.0, 1.0}


def test_nce_loss_matches_torch_logsigmoid():
    rng = np.random.default_rng(4)
    pm_x, pn_x = rng.normal(size=20) * 300, rng.normal(size=20)
    pm_y, pn_y = rng.normal(size=60) * 300, rng.normal(size=60)
    F = torch.nn.functional
    s_x = torch.tensor(pm_x - pn_x - np.log(3.0))
    s_y = torch.tensor(pm_y - pn_y - np.log(3.0))
    expected = -(F.logsigmoid(s_x).mean() + 3 * F.logsigmoid(-s_y).mean()).item()
    assert_close(sampling.nce_loss(pm_x, pm_y, pn_x, pn_y, 3), expected, rtol=1e-12)


def test_nce_gaussian_gradient_and_fit():
    rng = np.random.default_rng(5)
    x, y = rng.normal(1.5, 0.7, 20_000), rng.normal(1.0, 2.0, 100_000)
    theta = np.array([1.2, -0.1, -0.4])
    loss, grad = sampling.nce_gaussian_loss_and_grad(theta, x, y, 1.0, 2.0)
    numeric = scipy.optimize.approx_fprime(
        theta, lambda t: sampling.nce_gaussian_loss_and_grad(t, x, y, 1.0, 2.0)[0], 1e-7
    )
    assert_close(grad, numeric, rtol=1e-4, atol=1e-6)
    mu, log_sd, c = sampling.fit_nce_gaussian(x, y, 1.0, 2.0)
    assert_close([mu, np.exp(log_sd)], [1.5, 0.7], atol=0.02)
    assert abs(c + np.log(np.exp(log_sd) * np.sqrt(2 * np.pi))) < 0.02  # c learns -log Z
    assert (
        np.abs(sampling.nce_gaussian_loss_and_grad([mu, log_sd, c], x, y, 1.0, 2.0)[1]).max() < 1e-7
    )


def test_score_matching_gaussian_is_the_mle_and_quartic_minimises_the_objective():
    x = np.random.default_rng(6).normal(2.0, 1.5, 500)
    theta = sampling.score_matching_fit(x, 2)
    assert_close(theta, [x.mean() / x.var(), -0.5 / x.var()])
    bimodal = np.concatenate(
        [
            np.random.default_rng(7).normal(-1.5, 0.5, 300),
            np.random.default_rng(8).normal(1.5, 0.5, 300),
        ]
    )
    best = sampling.score_matching_fit(bimodal, 4)
    found = scipy.optimize.minimize(
        lambda t: sampling.score_matching_objective(bimodal, t),
        np.zeros(4),
        method="BFGS",
        options={"gtol": 1e-12},
    ).x
    assert_close(best, found, rtol=1e-3, atol=1e-6)
    assert_close(
        sampling.poly_score(np.array([2.0, 0.0]), [1.0, 0.5, 0.25]), [1.0 + 2.0 + 3.0, 1.0]
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: sampling.rbm_free_energy(
                np.ones((2, 3)), np.ones((4, 2)), np.ones(4), np.ones(2)
            ),
            "V must be",
        ),
        (
            lambda: sampling.rbm_free_energy(
                np.ones((2, 4)), np.ones((4, 2)), np.ones(3), np.ones(2)
            ),
            "need W",
        ),
        (
            lambda: sampling.rbm_log_partition(np.ones((30, 30)), np.ones(30), np.ones(30)),
            "small layer",
        ),
        (
            lambda: sampling.cd_k_gradient(
                np.ones((2, 4)), np.ones((4, 2)), np.ones(4), np.ones(2), 0
            ),
            "positive integer",
        ),
        (lambda: sampling.nce_loss(np.ones(2), np.ones(3), np.ones(3), np.ones(3), 1), "pair up"),
        (lambda: sampling.score_matching_fit(np.ones(5), 0), "positive integer"),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
