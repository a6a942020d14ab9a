"""Widget drawings for module 00, getting started."""

import numpy as np

from dlkit.plot import LiveFigure, new_figure, nice_ceil

TIME = np.linspace(0.0, 2.0, 500)  # (500,) seconds


class SineWave(LiveFigure):
    """Module 00's sine-wave widget, redrawn in place (see :func:`draw_sine_wave`): the axes
    and their labels are fixed; the wave and the title move with ``A``, ``f`` and ``phi``.
    The y-range is ``+-1.1 L`` with ``L`` the 1-2-5 step at or above ``max(2, |A|)``: fixed
    over the notebook's amplitudes 0..2, so moving ``A`` shows the wave growing and shrinking
    against steady axes; a larger ``|A|`` steps it to 5, 10, ..."""

    def __init__(self):
        fig, self.ax = new_figure(width=6.0, height=3.5)
        (self.wave,) = self.ax.plot([], [])
        self.ax.set_xlim(0.0, 2.0)
        self.ax.set_xlabel("time (s)")
        self.ax.set_ylabel("amplitude")
        super().__init__(fig, [self.wave, self.ax.title])

    def update(self, amplitude=1.0, frequency=1.0, phase=0.0):
        self.wave.set_data(TIME, amplitude * np.sin(2 * np.pi * frequency * TIME + phase))
        limit = 1.1 * nice_ceil(max(2.0, abs(amplitude)))
        self.ax.set_ylim(-limit, limit)
        self.ax.set_title(
            f"y(t) = A sin(2π f t + φ)  with  A = {amplitude:.3g}, f = {frequency:.3g} Hz, "
            f"φ = {phase:.2f} rad"
        )
        return self


def draw_sine_wave(amplitude=1.0, frequency=1.0, phase=0.0):
    """Plot ``y(t) = A sin(2 pi f t + phi)`` for t in [0, 2] s.

    amplitude A (arbitrary units), frequency f in Hz, phase phi in radians.
    """
    return SineWave().update(amplitude, frequency, phase).figure
