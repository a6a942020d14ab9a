"""dlkit.metrics.regression against scikit-learn and torch's Huber loss."""

import numpy as np
import pytest
import sklearn.metrics as skm
import torch

from dlkit import metrics
from dlkit.testing import assert_close


@pytest.mark.parametrize("delta", [0.5, 1.0, 3.0])
def test_regression_metrics_match_sklearn_and_torch(delta):
    rng = np.random.default_rng(int(delta * 10))
    y = 5 + 3 * rng.normal(size=60)
    y_hat = y + rng.standard_t(2, size=60)
    m = metrics.regression_metrics(y, y_hat, delta)
    assert_close(m["mse"], skm.mean_squared_error(y, y_hat))
    assert_close(m["rmse"], np.sqrt(skm.mean_squared_error(y, y_hat)))
    assert_close(m["mae"], skm.mean_absolute_error(y, y_hat))
    assert_close(m["r2"], skm.r2_score(y, y_hat))
    huber = torch.nn.functional.huber_loss(
        torch.tensor(y_hat, dtype=torch.float64), torch.tensor(y, dtype=torch.float64), delta=delta
    )
    assert_close(m["huber"], huber.item())


def test_huber_is_continuous_at_delta_and_r2_constant_targets():
    e = np.array([2.0 - 1e-9, 2.0, 2.0 + 1e-9])
    assert np.ptp(metrics.huber(e, 2.0)) < 1e-8
    assert metrics.r2_score(np.ones(4), np.ones(4)) == skm.r2_score(np.ones(4), np.ones(4))
    assert metrics.r2_score(np.ones(4), np.zeros(4)) == 0.0


def test_bad_inputs():
    with pytest.raises(ValueError, match="same shape"):
        metrics.regression_metrics([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="delta must be positive"):
        metrics.huber([1.0], 0.0)
