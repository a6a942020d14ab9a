"""Redraw time of every widget drawing (target: under 100 ms on a 2-core CPU).

    python benchmarks/widgets.py

Prints, per widget, the median time to build the figure and to render it to
pixels (what a notebook does on every slider move), and its ratio to the target.
"""

import statistics
import time

from matplotlib.backends.backend_agg import FigureCanvasAgg

from dlkit import data, widgets

TARGET_S = 0.100
REPEATS = 15


def median_redraw_seconds(redraw) -> float:
    FigureCanvasAgg(redraw()).draw()  # warm-up: fonts and caches
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        FigureCanvasAgg(redraw()).draw()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    image = data.sample_image()
    cases = {
        "draw_sine_wave": lambda: widgets.draw_sine_wave(1.0, 2.0, 0.5),
        "draw_matrix_on_circle": lambda: widgets.draw_matrix_on_circle(2.0, 1.0, 1.0, 2.0),
        "draw_svd_rank": lambda: widgets.draw_svd_rank(image, 20),
        "draw_distribution": lambda: widgets.draw_distribution("gaussian", 0.5, 1.5),
        "draw_clt": lambda: widgets.draw_clt(8),
        "draw_bayes_update": lambda: widgets.draw_bayes_update(7, 10),
        "draw_bernoulli_entropy": lambda: widgets.draw_bernoulli_entropy(0.3),
        "draw_gaussian_kl": lambda: widgets.draw_gaussian_kl(0.0, 1.0, 1.0, 2.0),
        "draw_taylor": lambda: widgets.draw_taylor(5, 0.5, "sin"),
        "draw_fd_error": lambda: widgets.draw_fd_error(1.0, "sin"),
        "draw_precision_loss": lambda: widgets.draw_precision_loss("float32", 4.0),
        "draw_integration_error": lambda: widgets.draw_integration_error(16, "gaussian"),
        "draw_optimizer_paths": lambda: widgets.draw_optimizer_paths(),
        "draw_quadratic_descent": lambda: widgets.draw_quadratic_descent(25.0, 1.0),
        "draw_lr_schedules": lambda: widgets.draw_lr_schedules(),
        "draw_decision_boundary": lambda: widgets.draw_decision_boundary(0.0, 1.0),
        "draw_bias_variance": lambda: widgets.draw_bias_variance(5),
        "draw_universal_approximation": lambda: widgets.draw_universal_approximation(20),
        "draw_activation": lambda: widgets.draw_activation("gelu"),
    }
    print(f"{'widget':30s} {'median ms':>10s} {'/ target':>9s}")
    for name, redraw in cases.items():
        seconds = median_redraw_seconds(redraw)
        print(f"{name:30s} {1000 * seconds:10.1f} {seconds / TARGET_S:9.2f}")


if __name__ == "__main__":
    main()
