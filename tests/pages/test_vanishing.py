"""The vanishing-gradient page through AppTest, reached from app.py as the design notes say."""

import pytest


@pytest.fixture
def lab(app):
    at = app()
    at.switch_page("pages/vanishing.py").run()
    assert not at.exception
    at.slider(key="vanishing.steps").set_value(50)
    return at.run()


def test_the_lab_renders_and_tells_the_story(lab):
    assert not lab.exception
    assert [h.value for h in lab.markdown if h.value.startswith("## ")] == ["## Vanishing gradients"]
    captions = " ".join(c.value for c in lab.caption)
    sigmoid, relu = (float(part.split("gets ")[1].split(" of")[0]) for part in captions.split(";")[:2])
    assert sigmoid < 1e-3 and 0.05 < relu < 20  # the physics at the default depth of 20
    accuracies = [m.value for m in lab.metric]
    assert len(accuracies) == 2


def test_changing_the_stacks_reruns_without_errors(lab):
    lab.slider(key="vanishing.depth").set_value(6).run()
    lab.toggle(key="vanishing.A.bn").set_value(True).run()
    lab.selectbox(key="vanishing.B.act").set_value("gelu").run()
    lab.selectbox(key="vanishing.B.init").set_value("normal").run()
    assert not lab.exception
    labels = [m.label for m in lab.metric]
    assert labels[0].startswith("A: sigmoid, xavier, BN") and labels[1].startswith("B: gelu, normal")


def test_every_figure_has_png_and_svg_downloads(lab):
    buttons = {b.key: b.label for b in lab.get("download_button")}
    assert buttons == {f"vanishing.download.{kind}.{fmt}": fmt.upper()
                       for kind in ("gradients", "activations", "training") for fmt in ("png", "svg")}


def test_the_page_shows_what_to_try_and_dead_relus(lab):
    import json

    from scenes import vanishing as V

    tries = [m.value for m in lab.markdown if m.value.startswith("**What to try**")]
    assert len(tries) == 1 and all(t in tries[0] for t in V.TRIES)
    activations = json.loads(lab.get("plotly_chart")[1].proto.spec)
    titles = [a["text"] for a in activations["layout"]["annotations"]]
    assert titles[0].startswith("A: 0% saturated") and "of units dead" in titles[1]


def test_a_diverged_stack_says_so_in_its_heatmap(lab):
    import base64
    import json
    import math

    import numpy as np

    lab.selectbox(key="vanishing.B.init").set_value("normal").run()
    assert not lab.exception
    training = json.loads(lab.get("plotly_chart")[2].proto.spec)
    notes = [a["text"] for a in training["layout"]["annotations"] if "diverged" in a["text"]]
    assert notes == ["diverged at step 1, layer 21:<br>values not finite"]
    heatmaps = [trace["z"] for trace in training["data"] if trace["type"] == "heatmap"]
    assert len(heatmaps) == 2
    for z in heatmaps:  # plotly sends typed arrays as {"dtype", "bdata", "shape"}, others as lists
        values = (np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).tolist() if isinstance(z, dict)
                  else [v for row in z for v in row])
        assert values and all(v is not None and math.isfinite(v) for v in values)
    assert any("diverged at step 1" in w.value for w in lab.warning)
