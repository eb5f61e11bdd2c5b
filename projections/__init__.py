"""Read models as pure folds over events: given the same events, the same figures."""
