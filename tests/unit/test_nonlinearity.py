"""The transfer functions: derivatives against central differences, symmetry and the name lookup."""

import numpy as np
import pytest

from rnnchaos import nonlinearity as nl

X = np.linspace(-4.0, 4.0, 161)


@pytest.mark.parametrize("name", sorted(nl.NONLINEARITIES))
def test_derivatives_match_central_differences(name):
    f, h = nl.get(name), 1e-5
    assert np.allclose((f.phi(X + h) - f.phi(X - h)) / (2 * h), f.dphi(X), rtol=0, atol=1e-9)
    assert np.allclose((f.dphi(X + h) - f.dphi(X - h)) / (2 * h), f.d2phi(X), rtol=0, atol=1e-9)
    p, d = f.phi_dphi(X)
    assert np.array_equal(p, f.phi(X)) and np.array_equal(d, f.dphi(X))
    assert f.dphi(np.array(0.0)) == pytest.approx(f.slope0, abs=1e-15)


@pytest.mark.parametrize("name", sorted(nl.NONLINEARITIES))
def test_odd_flag_is_true_to_the_function(name):
    f = nl.get(name)
    assert np.allclose(f.phi(-X), -f.phi(X), atol=1e-15) is f.odd


def test_closed_forms_at_known_points():
    assert nl.get("tanh").phi(0.5) == np.tanh(0.5)
    assert nl.get("erf").phi(1e-8) == pytest.approx(1e-8, rel=1e-12)  # slope 1 at the origin
    assert nl.get("erf").phi(40.0) == 1.0
    assert nl.get("logistic").phi(0.0) == 0.5


def test_lookup_errors_name_the_choices():
    assert nl.get(nl.TANH) is nl.TANH
    with pytest.raises(ValueError, match="erf.*logistic.*tanh.*'relu'"):
        nl.get("relu")
