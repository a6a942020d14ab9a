"""dlkit.autodiff against torch.autograd and central differences on random shapes."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import autodiff as ad
from dlkit.testing import assert_close, numeric_grad

fast = settings(max_examples=25, deadline=None)
seeds = st.integers(0, 2**32 - 1)
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


def away_from_zero(rng, shape, low=0.5, high=2.0):
    """Random entries with |x| in [low, high] (safe for division and kinks)."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def check_gradients(ours, theirs, arrays, seed, rtol=1e-6, atol=1e-8):
    """Compare the engine's value and input gradients with torch and with central differences.

    ``ours(*tensors)`` and ``theirs(*torch_tensors)`` compute the same operation. The
    scalar that is differentiated is ``sum(out * w)`` with a fixed random ``w``, so the
    gradient arriving at the operation is not all ones.
    """
    arrays = [np.asarray(a, dtype=float) for a in arrays]
    tensors = [ad.Tensor(a, requires_grad=True) for a in arrays]
    out = ours(*tensors)
    weights = np.random.default_rng(seed).standard_normal(out.shape)
    (out * weights).sum().backward()

    torch_inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    torch_out = theirs(*torch_inputs)
    (torch_out * torch.tensor(weights)).sum().backward()
    assert_close(out.data, torch_out.detach().numpy(), rtol=rtol, atol=atol, name="value")

    for i, (tensor, torch_input) in enumerate(zip(tensors, torch_inputs)):
        assert_close(tensor.grad, torch_input.grad.numpy(), rtol, atol, name=f"grad {i} vs torch")

        def scalar(x, i=i):
            inputs = [ad.Tensor(x if j == i else a) for j, a in enumerate(arrays)]
            return float(np.sum(ours(*inputs).data * weights))

        numeric = numeric_grad(scalar, arrays[i])
        assert_close(tensor.grad, numeric, rtol=1e-5, atol=1e-6, name=f"grad {i} vs differences")


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: the second drops leading axes and squeezes some to 1."""
    shape = draw(shapes)
    keep = draw(st.integers(0, len(shape)))
    other = [1 if draw(st.booleans()) else n for n in shape[len(shape) - keep :]]
    pair = (shape, tuple(other))
    return pair if draw(st.booleans()) else pair[::-1]


# ---------------------------------------------------------------- arithmetic


@fast
@given(broadcast_pair(), seeds, st.sampled_from(["+", "-", "*", "/"]))
def test_binary_operations_broadcast(pair, seed, op):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(pair[0]), away_from_zero(rng, pair[1])
    fns = {
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
        "/": lambda x, y: x / y,
    }
    check_gradients(fns[op], fns[op], [a, b], seed)


@fast
@given(shapes, seeds)
def test_operations_with_plain_numbers_on_either_side(shape, seed):
    rng = np.random.default_rng(seed)
    x = away_from_zero(rng, shape)

    def f(t):
        return (2.0 - t) * 3.0 / (1.5 + t * t) + 1.0 / t

    check_gradients(f, f, [x], seed)


@fast
@given(shapes, seeds)
def test_negation(shape, seed):
    x = np.random.default_rng(seed).standard_normal(shape)
    check_gradients(lambda t: -t, lambda t: -t, [x], seed)


@fast
@given(shapes, seeds, st.sampled_from([2, 3, 0.5, -1.0, 1.5]))
def test_power_with_constant_exponent(shape, seed, p):
    x = np.random.default_rng(seed).uniform(0.5, 2.0, shape)  # positive: real for any p
    check_gradients(lambda t: t**p, lambda t: t**p, [x], seed)


@st.composite
def matmul_shapes(draw):
    """Shapes (..., m, n) and (..., n, p) whose leading batch axes broadcast."""
    m, n, p = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = draw(st.lists(st.integers(1, 3), max_size=2))
    batch_b = [1 if draw(st.booleans()) else k for k in batch][draw(st.integers(0, len(batch))) :]
    return (*batch, m, n), (*batch_b, n, p)


@fast
@given(matmul_shapes(), seeds)
def test_matmul_with_batch_broadcasting(pair, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(pair[0]), rng.standard_normal(pair[1])
    check_gradients(lambda x, y: x @ y, lambda x, y: x @ y, [a, b], seed)


def test_matmul_with_a_plain_array_on_the_left():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((5, 3)), ad.Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    (x @ w).sum().backward()
    assert_close(w.grad, x.T @ np.ones((5, 2)))


# ---------------------------------------------------------------- reductions and shapes


@st.composite
def shape_and_axis(draw):
    """A shape and an axis argument for it: None, one axis (maybe negative) or a tuple."""
    shape = draw(shapes)
    ndim = len(shape)
    axis = draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1),
            st.lists(st.integers(0, ndim - 1), min_size=1, unique=True).map(tuple),
        )
    )
    return shape, axis


@fast
@given(shape_and_axis(), st.booleans(), seeds, st.sampled_from(["sum", "mean"]))
def test_sum_and_mean_over_axes(shape_axis, keepdims, seed, name):
    shape, axis = shape_axis
    x = np.random.default_rng(seed).standard_normal(shape)
    torch_axis = tuple(range(len(shape))) if axis is None else axis
    check_gradients(
        lambda t: getattr(t, name)(axis=axis, keepdims=keepdims),
        lambda t: getattr(t, name)(dim=torch_axis, keepdim=keepdims),
        [x],
        seed,
    )


@fast
@given(shapes, seeds)
def test_reshape(shape, seed):
    x = np.random.default_rng(seed).standard_normal(shape)
    new_shape = (-1, shape[0]) if len(shape) > 1 else (1, -1, 1)
    check_gradients(lambda t: t.reshape(new_shape), lambda t: t.reshape(new_shape), [x], seed)


@fast
@given(shapes, seeds, st.data())
def test_transpose_with_any_permutation(shape, seed, data):
    axes = tuple(data.draw(st.permutations(range(len(shape)))))
    x = np.random.default_rng(seed).standard_normal(shape)
    check_gradients(lambda t: t.transpose(axes), lambda t: t.permute(axes), [x], seed)


def test_transpose_property_reverses_axes():
    x = ad.Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert x.T.shape == (4, 3, 2)
    assert_close(x.T.data, x.data.T)


@pytest.mark.parametrize(
    "index",
    [
        (slice(1, None), 0),  # basic slicing
        (np.array([0, 2, 2, 0]),),  # repeated integer indices: gradients add up
        (np.array([1, 0]), np.array([3, 3])),  # paired fancy indices
        (Ellipsis, slice(None, None, 2)),  # strided view of the last axis
    ],
)
def test_indexing(index):
    x = np.random.default_rng(4).standard_normal((3, 4))
    check_gradients(lambda t: t[index], lambda t: t[index], [x], seed=5)


def test_indexing_with_a_boolean_mask():
    x = np.random.default_rng(6).standard_normal((3, 4))
    mask = x > 0
    check_gradients(lambda t: t[mask], lambda t: t[torch.tensor(mask)], [x], seed=7)


# ---------------------------------------------------------------- elementwise and softmax


@fast
@given(shapes, seeds, st.sampled_from(["exp", "log", "sin", "cos", "tanh", "sigmoid", "relu"]))
def test_elementwise_functions(shape, seed, name):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.2, 3.0, shape) if name == "log" else away_from_zero(rng, shape, 0.1, 2.0)
    check_gradients(lambda t: getattr(t, name)(), lambda t: getattr(torch, name)(t), [x], seed)


@fast
@given(shape_and_axis(), seeds, st.sampled_from(["softmax", "log_softmax"]))
def test_softmax_and_log_softmax_along_any_axis(shape_axis, seed, name):
    shape, axis = shape_axis
    axis = -1 if axis is None or isinstance(axis, tuple) else axis
    x = 3.0 * np.random.default_rng(seed).standard_normal(shape)
    check_gradients(
        lambda t: getattr(t, name)(axis=axis),
        lambda t: getattr(torch, name)(t, dim=axis),
        [x],
        seed,
    )


def test_log_softmax_is_stable_for_huge_logits():
    x = ad.Tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    y = x.log_softmax()
    y[0, 0].backward()
    assert np.isfinite(y.data).all() and np.isfinite(x.grad).all()
    assert_close(x.grad, [[0.0, 0.0, 0.0]], atol=1e-12)


def test_sigmoid_does_not_overflow():
    x = ad.Tensor([-800.0, 0.0, 800.0], requires_grad=True)
    x.sigmoid().sum().backward()
    assert_close(x.grad, [0.0, 0.25, 0.0], atol=1e-12)


# ---------------------------------------------------------------- losses


@fast
@given(shapes, seeds)
def test_mse_loss(shape, seed):
    rng = np.random.default_rng(seed)
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    check_gradients(ad.mse_loss, torch.nn.functional.mse_loss, [pred, target], seed)


@fast
@given(st.integers(1, 6), st.integers(1, 5), seeds)
def test_cross_entropy(n, k, seed):
    rng = np.random.default_rng(seed)
    logits, labels = 2.0 * rng.standard_normal((n, k)), rng.integers(0, k, n)
    check_gradients(
        lambda z: ad.cross_entropy_with_logits(z, labels),
        lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(labels)),
        [logits],
        seed,
    )


# ---------------------------------------------------------------- the backward pass itself


def test_shared_node_gets_the_sum_of_both_paths():
    x = ad.Tensor(1.5, requires_grad=True)
    y = x * x  # used twice below
    z = y * x + y.exp()  # dz/dx = 3x^2 + 2x e^(x^2)
    z.backward()
    assert_close(x.grad, 3 * 1.5**2 + 2 * 1.5 * math.exp(1.5**2))


def test_leaves_accumulate_but_intermediate_nodes_do_not():
    x = ad.Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3.0
    loss = (hidden * hidden).sum()
    loss.backward()
    first_hidden_grad = hidden.grad.copy()
    loss.backward()
    assert_close(x.grad, 2 * 18.0 * x.data)  # two calls: twice d/dx (9 x^2) = 18 x
    assert_close(hidden.grad, first_hidden_grad)  # overwritten, not doubled
    x.grad = None  # the optimiser's zero_grad
    loss.backward()
    assert_close(x.grad, 18.0 * x.data)


def test_constants_get_no_gradient_and_make_no_graph():
    w = ad.Tensor([2.0], requires_grad=True)
    c = ad.Tensor([5.0])
    out = (w * c).sum()
    out.backward()
    assert c.grad is None and not (c + c).requires_grad
    assert_close(w.grad, [5.0])


def test_long_chain_needs_no_recursion():
    x = ad.Tensor(0.5, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0001
    y.backward()
    assert_close(x.grad, 1.0001**3000)


def test_backward_with_an_explicit_upstream_gradient():
    x = ad.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(np.array([1.0, 0.0, -1.0]))
    assert_close(x.grad, [2.0, 0.0, -6.0])


def test_tensor_owns_a_float64_copy_of_its_data():
    source = np.array([1, 2, 3])
    t = ad.Tensor(source)
    t.data[0] = 10.0
    assert t.data.dtype == np.float64 and source[0] == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ad.Tensor([1.0, 2.0], requires_grad=True).backward(), "reduce it to a scalar"),
        (lambda: ad.Tensor(1.0).backward(), "requires_grad=True"),
        (lambda: ad.Tensor([1.0], requires_grad=True).backward(np.ones(2)), "grad has shape"),
        (lambda: ad.Tensor([1.0, 2.0]) @ ad.Tensor([[1.0], [2.0]]), "reshape"),
        (lambda: ad.Tensor(2.0) ** ad.Tensor(2.0), "plain number"),
        (lambda: ad.mse_loss(np.ones(3), np.ones((3, 1))), "must match"),
        (lambda: ad.cross_entropy_with_logits(np.ones((2, 3)), np.array([0, 3])), "0..2"),
        (lambda: ad.cross_entropy_with_logits(np.ones((2, 3)), np.array([0.0, 1.0])), "integer"),
        (lambda: ad.cross_entropy_with_logits(np.ones(3), np.array([0])), "(n, k)"),
        (lambda: ad.derivative(lambda x: 3.0, 1.0), "not a Dual"),
        (lambda: ad.Dual(2.0, 1.0) ** ad.Dual(2.0, 1.0), "exp"),
    ],
)
def test_errors_say_what_to_do(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


# ---------------------------------------------------------------- unbroadcast


@fast
@given(broadcast_pair(), seeds)
def test_unbroadcast_is_the_adjoint_of_broadcasting(pair, seed):
    small, big = sorted(pair, key=lambda s: (len(s), math.prod(s)))
    if np.broadcast_shapes(small, big) != big:
        small, big = big, np.broadcast_shapes(small, big)
    rng = np.random.default_rng(seed)
    x, g = rng.standard_normal(small), rng.standard_normal(big)
    # <broadcast(x), g> = <x, unbroadcast(g)> for every x and g
    assert_close(np.sum(np.broadcast_to(x, big) * g), np.sum(x * ad.unbroadcast(g, small)))
    assert ad.unbroadcast(g, small).shape == small


# ---------------------------------------------------------------- forward mode


FUNCTIONS = [  # f written with the dual-aware functions, and f' in closed form
    (lambda x: ad.sin(x * x), lambda x: 2 * x * math.cos(x * x)),
    (lambda x: ad.exp(x) * x**3, lambda x: math.exp(x) * (x**3 + 3 * x**2)),
    (lambda x: ad.log(1.0 + x * x) / (2.0 - ad.cos(x)), None),
    (
        lambda x: ad.tanh(3.0 * x - 1.0) - 4.0 / x,
        lambda x: 3 / math.cosh(3 * x - 1) ** 2 + 4 / x**2,
    ),
    (lambda x: (x * x + 1.0) ** 0.5, lambda x: x / math.hypot(x, 1)),
]


@fast
@given(st.floats(0.3, 3.0), st.integers(0, len(FUNCTIONS) - 1))
def test_dual_numbers_give_exact_derivatives(x, which):
    f, df = FUNCTIONS[which]
    expected = df(x) if df else numeric_grad(lambda v: f(float(v)), np.array(x), eps=1e-6)
    tolerance = {"rtol": 1e-12, "atol": 1e-12} if df else {"rtol": 1e-6, "atol": 1e-8}
    assert_close(ad.derivative(f, x), expected, **tolerance)


def test_dual_arithmetic_rules():
    a, b = ad.Dual(3.0, 2.0), ad.Dual(-1.5, 0.5)
    for got, value, deriv in [
        (a + b, 1.5, 2.5),
        (a - b, 4.5, 1.5),
        (a * b, -4.5, 2.0 * -1.5 + 3.0 * 0.5),
        (a / b, -2.0, (2.0 * -1.5 - 3.0 * 0.5) / 1.5**2),
        (-a, -3.0, -2.0),
        (2.0 - a, -1.0, -2.0),
        (6.0 / a, 2.0, -6.0 * 2.0 / 9.0),
    ]:
        assert_close([got.value, got.deriv], [value, deriv], rtol=1e-14)


def test_dual_functions_pass_plain_numbers_through():
    assert ad.sin(0.3) == math.sin(0.3) and ad.exp(1.0) == math.e


# ---------------------------------------------------------------- a whole network


def test_two_layer_mlp_trains_like_torch():
    """Same data, same initialisation, same SGD steps: the loss curves agree to round-off."""
    rng = np.random.default_rng(8)
    x, labels = rng.standard_normal((64, 10)), rng.integers(0, 3, 64)
    init = [
        rng.standard_normal((10, 16)) / math.sqrt(10),
        np.zeros(16),
        rng.standard_normal((16, 3)) / 4.0,
        np.zeros(3),
    ]
    ours = [ad.Tensor(p, requires_grad=True) for p in init]
    theirs = [torch.tensor(p, requires_grad=True) for p in init]
    lr, ours_losses, torch_losses = 0.5, [], []
    for _ in range(40):
        W1, b1, W2, b2 = ours
        loss = ad.cross_entropy_with_logits((x @ W1 + b1).relu() @ W2 + b2, labels)
        loss.backward()
        for p in ours:
            p.data -= lr * p.grad
            p.grad = None
        ours_losses.append(loss.item())

        V1, c1, V2, c2 = theirs
        hidden = torch.relu(torch.tensor(x) @ V1 + c1)
        torch_loss = torch.nn.functional.cross_entropy(hidden @ V2 + c2, torch.tensor(labels))
        torch_loss.backward()
        with torch.no_grad():
            for p in theirs:
                p -= lr * p.grad
                p.grad = None
        torch_losses.append(torch_loss.item())
    assert_close(ours_losses, torch_losses, rtol=1e-9)
    assert ours_losses[-1] < 0.7 * ours_losses[0]  # and it did learn
    for p, q in zip(ours, theirs):
        assert_close(p.data, q.detach().numpy(), rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------- calculus helpers


@fast
@given(st.lists(st.floats(-3, 3), min_size=1, max_size=7), st.floats(-2, 2), seeds)
def test_taylor_polynomial_matches_numpy_polynomial(derivatives, a, seed):
    x = np.random.default_rng(seed).uniform(-3, 3, (2, 3))
    coefficients = [d / math.factorial(k) for k, d in enumerate(derivatives)]
    expected = np.polynomial.Polynomial(coefficients)(x - a)
    assert_close(ad.taylor_polynomial(derivatives, a, x), expected, rtol=1e-10, atol=1e-10)


def test_taylor_polynomial_of_exp_converges():
    x = np.linspace(-1, 1, 5)
    assert_close(ad.taylor_polynomial(np.ones(20), 0.0, x), np.exp(x), rtol=1e-14)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        ad.taylor_polynomial([], 0.0, x)


def test_difference_quotients_have_first_and_second_order_error():
    h = np.array([1e-2, 1e-3])
    forward = np.abs(ad.difference_quotient(np.exp, 1.0, h, "forward") - math.e)
    central = np.abs(ad.difference_quotient(np.exp, 1.0, h, "central") - math.e)
    assert_close(forward, math.e * h / 2, rtol=1e-2)  # leading term f''(x) h / 2
    assert_close(central, math.e * h**2 / 6, rtol=1e-2)  # leading term f'''(x) h^2 / 6
    with pytest.raises(ValueError, match="'forward' or 'central'"):
        ad.difference_quotient(np.exp, 1.0, h, "backward")
