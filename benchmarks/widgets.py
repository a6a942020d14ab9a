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
    }
    print(f"{'widget':24s} {'median ms':>10s} {'/ target':>9s}")
    for name, redraw in cases.items():
        seconds = median_redraw_seconds(redraw)
        print(f"{name:24s} {1000 * seconds:10.1f} {seconds / TARGET_S:9.2f}")


if __name__ == "__main__":
    main()
