"""What every widget figure must have."""

from matplotlib.figure import Figure


def assert_labelled(fig):
    """Every axes has x and y labels, and a title of its own or the figure's."""
    assert isinstance(fig, Figure)
    suptitle = fig.get_suptitle()
    for ax in fig.axes:
        assert ax.get_title() or suptitle, "axes without a title"
        assert ax.get_xlabel() and ax.get_ylabel(), "axes without axis labels"
