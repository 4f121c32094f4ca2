"""Every "What to watch" sentence of the prepared scenes, measured on the trajectories that
``compute(scene)`` returns (torch's rules, step for step): scenes.stories holds one table per preset,
a row per claim (the words of the text it proves, the quantity, its value, the criterion), the same
table the page prints under "What the numbers say". Here every row must hold, its words must be in
the preset's text, and the short caption above the figure must be made of measured words only.

The presets were re-tuned for issue 10 so that they prove the lecture's claims about Radford's
animations, with captions that say what is seen.
"""

from __future__ import annotations

import re

import pytest

import scenes as sc
from scenes.stories import claims, shown, table

Scene = sc.Scene


def check(key: str, scene, text: str) -> None:
    runs, bands = sc.compute(scene)
    rows = claims(key, scene, runs, bands)
    missing = [c.words for c in rows if c.words not in text]
    assert not missing, f"{key}: the text does not say {missing}"
    failed = [f"{c.words!r}: {c.quantity} = {c.value} (wanted {c.criterion})" for c in rows if not c.holds]
    assert not failed, f"{key}: " + "; ".join(failed)


@pytest.mark.parametrize("key", list(sc.PRESETS))
def test_the_preset_proves_its_caption(key):
    preset = sc.PRESETS[key]
    check(key, preset.scene, preset.caption + " " + preset.detail)


@pytest.mark.parametrize("key", list(sc.PRESETS))
def test_the_caption_is_short_and_every_clause_of_it_is_measured(key):
    """The caption a student reads in one glance: at most two sentences and 45 words, and every clause
    of it (between punctuation) holds words of a measured claim, or is the surface's own description."""
    preset = sc.PRESETS[key]
    caption = preset.caption
    assert len(re.findall(r"[.!?](\s|$)", caption)) <= 2 and len(caption.split()) <= 45, caption
    words = [c.words for c in claims(key, preset.scene, *sc.compute(preset.scene))]
    measured = [w for w in words if w in caption]
    assert len(measured) >= 2, (key, measured)
    setting = ("overshooting does not win", "Rosenbrock's curved valley", "Minibatches of 16 make the gradient noisy")
    for clause in re.split(r"[.;:](?:\s|$)", caption):
        clause = clause.strip()
        if clause:
            assert any(w in clause or clause in w for w in words) or any(s in clause for s in setting), \
                f"{key}: the clause {clause!r} is not measured"


def test_the_page_table_prints_what_was_measured():
    preset = sc.PRESETS["beale"]
    rows = claims("beale", preset.scene, *sc.compute(preset.scene))
    printed = table(rows)
    assert [r["the text says"] for r in printed] == [c.words for c in rows]
    assert all(r["holds"] == "✓" for r in printed)
    momentum = printed[2]
    assert momentum["the text says"] == "does not come back" and momentum["value"] == "never"
    assert shown((1.23456, float("inf"), 3)) == "1.23; never; 3" and shown(41.0) == "41"


def test_the_claims_can_fail():
    """Beale as it was shipped before issue 10 (momentum and NAG at 0.001 from (1, 1.5)): momentum
    arrives about as early as NAG and never climbs back; the long valley before: SGD at lr=0.05 got
    most of the way. The table rejects both."""
    beale = sc.PRESETS["beale"]
    text = beale.caption + " " + beale.detail
    before = Scene("beale", sc.parse_runs("sgd(lr=0.001),momentum(lr=0.001),nag(lr=0.001),adagrad(lr=0.3),"
                                          "adadelta(lr=1),rmsprop(lr=0.01),adam(lr=0.03)"), steps=500)
    with pytest.raises(AssertionError, match="Momentum overshoots"):
        check("beale", before, text)
    valley = sc.PRESETS["long_valley"]
    before = Scene("ravine", sc.parse_runs("sgd(lr=0.05),momentum(lr=0.01),nag(lr=0.01),rmsprop(lr=0.03),"
                                           "adam(lr=0.1)"), steps=300)
    with pytest.raises(AssertionError, match="almost nowhere"):
        check("long_valley", before, valley.caption + " " + valley.detail)
    with pytest.raises(AssertionError, match="does not say"):
        check("banana", sc.PRESETS["banana"].scene, "Rosenbrock's curved valley.")


def test_the_forms_claims_can_fail():
    """Without the rate drop the momentum forms never split; with a small eps the RMSProp forms hardly differ."""
    forms = sc.PRESETS["torch_vs_lecture"]
    text = forms.caption + " " + forms.detail
    constant = Scene("ravine", forms.scene.runs, steps=300, start=(-8.0, 0.5),
                     schedule="step", schedule_params=(("gamma", 1.0), ("step_size", 150)))
    with pytest.raises(AssertionError, match="a tenth as long"):
        check("torch_vs_lecture", constant, text)
    small_eps = Scene("ravine", sc.parse_runs(sc.to_query(forms.scene)["optimizers"].replace("eps=1.0", "eps=0.1")),
                      steps=300, start=(-8.0, 0.5), schedule=forms.scene.schedule,
                      schedule_params=forms.scene.schedule_params)
    with pytest.raises(AssertionError, match="more than twice as near"):
        check("torch_vs_lecture", small_eps, text)
