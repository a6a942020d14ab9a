"""One training step of a 784-256-10 MLP (batch 256): dlkit.autodiff against torch on the CPU.

    python benchmarks/autodiff.py

A step is forward pass, cross-entropy loss, backward pass and an SGD update, in float64
for both. torch runs with as many threads as numpy's BLAS, and the two are timed
alternately (side by side) so that a busy machine slows both alike. Prints the median
time per step of each and their ratio.
"""

import statistics
import time

import numpy as np
import torch
from threadpoolctl import threadpool_info

from dlkit import autodiff as ad

BATCH, SIZES, LR, REPEATS = 256, (784, 256, 10), 0.1, 30


def blas_threads() -> int:
    """The number of threads numpy's BLAS uses (1 if it cannot tell)."""
    return max(
        [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"] or [1]
    )


def make_problem(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, SIZES[0]))
    labels = rng.integers(0, SIZES[2], BATCH)
    init = [
        rng.standard_normal((SIZES[0], SIZES[1])) / np.sqrt(SIZES[0]),
        np.zeros(SIZES[1]),
        rng.standard_normal((SIZES[1], SIZES[2])) / np.sqrt(SIZES[1]),
        np.zeros(SIZES[2]),
    ]
    return x, labels, init


def dlkit_step(x, labels, params):
    W1, b1, W2, b2 = params
    loss = ad.cross_entropy_with_logits((x @ W1 + b1).relu() @ W2 + b2, labels)
    for p in params:
        p.grad = None
    loss.backward()
    for p in params:
        p.data -= LR * p.grad
    return loss.item()


def torch_step(x, labels, params):
    W1, b1, W2, b2 = params
    loss = torch.nn.functional.cross_entropy(torch.relu(x @ W1 + b1) @ W2 + b2, labels)
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= LR * p.grad
    return loss.item()


def main() -> None:
    threads = blas_threads()
    torch.set_num_threads(threads)
    x, labels, init = make_problem()
    ours = [ad.Tensor(p, requires_grad=True) for p in init]
    theirs = [torch.tensor(p, requires_grad=True) for p in init]
    x_t, labels_t = torch.tensor(x), torch.tensor(labels)

    first = dlkit_step(x, labels, ours), torch_step(x_t, labels_t, theirs)  # warm-up
    assert abs(first[0] - first[1]) < 1e-9, f"the two losses differ: {first}"
    times = {"dlkit.autodiff": [], "torch": []}
    for _ in range(REPEATS):
        start = time.perf_counter()
        dlkit_step(x, labels, ours)
        times["dlkit.autodiff"].append(time.perf_counter() - start)
        start = time.perf_counter()
        torch_step(x_t, labels_t, theirs)
        times["torch"].append(time.perf_counter() - start)

    medians = {name: statistics.median(t) for name, t in times.items()}
    print(f"784-256-10 MLP, batch {BATCH}, float64, {threads} thread(s), median of {REPEATS}")
    for name, seconds in medians.items():
        print(f"{name:16s} {1000 * seconds:8.2f} ms per step")
    print(f"ratio dlkit.autodiff / torch: {medians['dlkit.autodiff'] / medians['torch']:.2f}")


if __name__ == "__main__":
    main()
