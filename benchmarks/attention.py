"""dlkit's numpy attention against torch's scaled_dot_product_attention on the CPU.

    python benchmarks/attention.py [--repeats 15]

One self-attention call ``softmax(Q K^T / sqrt(d)) V`` on n tokens of d = 64 features, for
n in {64, 128, 256, 512, 1024}: ``dk.nn.scaled_dot_product_attention`` (float64, it also
returns the weights) against ``torch.nn.functional.scaled_dot_product_attention``
(float64 and float32), both on one thread and timed alternately (side by side), so that a
busy machine slows both alike. Prints the median times, the ratio numpy / torch (goal:
at most 2x at the same precision) and the growth per doubling of n (x4 once the n^2 terms
dominate, from n of about 2d on).
"""

import argparse
import statistics
import time
from functools import partial

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from dlkit import nn

D = 64
SIZES = (64, 128, 256, 512, 1024)


def median_seconds(calls, repeats):
    """Median time of each function in ``calls``, run in turn ``repeats`` times."""
    for call in calls:
        call()  # warm-up
    times = [[] for _ in calls]
    for _ in range(repeats):
        for call, record in zip(calls, times):
            start = time.perf_counter()
            call()
            record.append(time.perf_counter() - start)
    return [statistics.median(record) for record in times]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"one thread each; d = {D}; median of {args.repeats} runs, alternating")
    print(
        f"{'n':>5s} {'numpy f64 ms':>13s} {'torch f64 ms':>13s} {'torch f32 ms':>13s} "
        f"{'numpy/torch f64':>16s} {'numpy x per 2n':>15s}"
    )
    previous = None
    with threadpool_limits(limits=1):
        for n in SIZES:
            Q, K, V = (rng.standard_normal((n, D)) for _ in range(3))
            q64, k64, v64 = (torch.from_numpy(a) for a in (Q, K, V))
            q32, k32, v32 = (t.float() for t in (q64, k64, v64))
            sdpa = torch.nn.functional.scaled_dot_product_attention
            ours, theirs64, theirs32 = median_seconds(
                [
                    partial(nn.scaled_dot_product_attention, Q, K, V),
                    partial(sdpa, q64, k64, v64),
                    partial(sdpa, q32, k32, v32),
                ],
                args.repeats,
            )
            growth = f"{ours / previous:15.2f}" if previous else f"{'':>15s}"
            print(
                f"{n:5d} {1e3 * ours:13.3f} {1e3 * theirs64:13.3f} {1e3 * theirs32:13.3f} "
                f"{ours / theirs64:16.2f} {growth}"
            )
            previous = ours


if __name__ == "__main__":
    main()
