"""Every "What to try" sentence of the vanishing-gradient page, measured: scenes.vanishing.claims holds a row
per claim (the words of the sentence it proves, the quantity, its value, the criterion); every row must hold
and its words must be in the sentences the page prints."""

from __future__ import annotations

from scenes import vanishing as V


def test_every_try_is_true_by_measurement():
    rows = V.claims()
    text = " ".join(V.TRIES)
    assert not [c.words for c in rows if c.words not in text]
    failed = [f"{c.words!r}: {c.quantity} = {c.value} (wanted {c.criterion})" for c in rows if not c.holds]
    assert not failed, "; ".join(failed)


def test_every_try_has_a_measured_claim():
    words = [c.words for c in V.claims()]
    for sentence in V.TRIES:
        assert any(w in sentence for w in words), sentence
