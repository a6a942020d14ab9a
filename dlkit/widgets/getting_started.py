"""Widget drawings for module 00, getting started."""

import numpy as np

from dlkit.plot import new_figure


def draw_sine_wave(amplitude=1.0, frequency=1.0, phase=0.0):
    """Plot ``y(t) = A sin(2 pi f t + phi)`` for t in [0, 2] s.

    amplitude A (arbitrary units), frequency f in Hz, phase phi in radians.
    """
    t = np.linspace(0.0, 2.0, 500)  # (500,) seconds
    y = amplitude * np.sin(2 * np.pi * frequency * t + phase)  # (500,)
    fig, ax = new_figure(width=6.0, height=3.5)
    ax.plot(t, y)
    ax.set_xlim(0.0, 2.0)
    limit = max(1.0, abs(amplitude)) * 1.1
    ax.set_ylim(-limit, limit)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("amplitude")
    ax.set_title(
        f"y(t) = A sin(2π f t + φ)  with  A = {amplitude:.3g}, f = {frequency:.3g} Hz, "
        f"φ = {phase:.2f} rad"
    )
    return fig
