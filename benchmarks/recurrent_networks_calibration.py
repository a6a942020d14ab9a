"""Calibration of the adding-problem check of module 12 (rn-train-adding).

    OMP_NUM_THREADS=1 python benchmarks/recurrent_networks_calibration.py [n_seeds]

For each seed (default 24) it trains the reference (dk.models.SequenceModel LSTM(2, 32),
dk.train.fit, Adam 1e-2, 1000 steps of 64 sequences of T = 50, clip 1) and the named
mutants, and scores each with the check's own function (``adding_mse``: the check's numpy
LSTM on its own 1000 sequences); it also trains a plain tanh RNN the same way (its MSE by
torch on the same kind of data), the claim behind the check's "a plain RNN stays here" hint.
Prints the per-seed scores, the reference's worst, each mutant's best, the pass mark and
the margins: the reference must pass on every seed and each mutant fail on every seed.
"""

import sys
import time

import numpy as np
import torch

import dlkit as dk
from autograder.checks import recurrent_networks as chk

STEPS = 1000
BRIEF = 100  # the "stopped at the plateau" mutant


def train(seed, steps, cell="lstm"):
    X, y = dk.data.adding_problem(64 * steps, T=chk.ADDING_T, seed=seed)
    torch.manual_seed(seed)
    model = dk.models.SequenceModel(dk.models.RNNConfig(cell=cell, input_size=2, hidden=32))
    dk.train.fit(
        model,
        (X, y),
        loss_fn=torch.nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-2),
        epochs=1,
        batch_size=64,
        clip_grad_norm=1.0,
        seed=seed,
        progress=False,
    )
    return model


def rnn_mse(model, seed=1219):
    X, y = chk._adding_sequences(1000, chk.ADDING_T, seed)
    with torch.no_grad():
        prediction = model(torch.tensor(X, dtype=torch.float32))[:, 0].numpy()
    return float(np.mean((prediction - y) ** 2))


def main(n_seeds):
    torch.set_num_threads(1)
    rows = []
    print(
        f"{'seed':>4s} {'reference':>10s} {'seconds':>8s} {'100 steps':>10s} "
        f"{'torch order':>12s} {'[x, h] rows':>12s} {'plain RNN':>10s}"
    )
    for seed in range(n_seeds):
        start = time.perf_counter()
        params = train(seed, STEPS).to_numpy_params()
        seconds = time.perf_counter() - start
        row = (
            chk.adding_mse(params),
            chk.adding_mse(train(seed, BRIEF).to_numpy_params()),
            chk.adding_mse(chk._swap_gate_blocks(params)),
            chk.adding_mse(chk._swap_rows(params)),
            rnn_mse(train(seed, STEPS, cell="rnn")),
        )
        rows.append(row)
        print(
            f"{seed:4d} {row[0]:10.4f} {seconds:8.1f} {row[1]:10.4f} {row[2]:12.4f} "
            f"{row[3]:12.4f} {row[4]:10.4f}",
            flush=True,
        )
    rows = np.array(rows)
    mark = chk.ADDING_MARK
    reference = rows[:, 0]
    print(f"\npass mark: MSE <= {mark} (baseline of predicting 1: {chk.ADDING_BASELINE:.4f})")
    print(
        f"reference over {n_seeds} seeds: min {reference.min():.4f}, median "
        f"{np.median(reference):.4f}, max {reference.max():.4f} "
        f"(margin: mark / max = {mark / reference.max():.1f}x)"
    )
    for j, name in enumerate(["100 steps", "torch gate order", "[x, h] rows", "plain RNN"], 1):
        best = rows[:, j].min()
        print(
            f"{name:17s}: min {best:.4f}, median {np.median(rows[:, j]):.4f} "
            f"(margin: min / mark = {best / mark:.1f}x)"
        )
    ok = reference.max() <= mark and all(rows[:, j].min() > mark for j in (1, 2, 3, 4))
    print("calibration holds" if ok else "CALIBRATION FAILS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 24))
