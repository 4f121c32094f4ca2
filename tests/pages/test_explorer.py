"""The explorer page through Streamlit's AppTest: it renders, and its interactions change the scene."""

import scenes as sc
from surfaces.expression import EXAMPLE


def query(at) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.to_dict().items()} \
        if hasattr(at.query_params, "to_dict") else dict(at.query_params)


def open_editors(at, *which) -> None:
    """Open run editors (by run id), the schedule's ("schedule") or the rules ("rules"): their contents
    are drawn only then."""
    for w in which:
        at.session_state["explorer.rules" if w == "rules" else f"explorer.editor.{w}"] = True
    at.run()


def test_default_page_renders_the_default_scene(app):
    at = app()
    assert not at.exception
    assert [h.value for h in at.markdown if h.value.startswith("## ")] == ["## Beale's function"]
    q = query(at)
    assert q["surface"] == "beale"
    assert q["optimizers"].count("(") == len(sc.DEFAULT_RUNS)
    assert len(at.table) == 1 and len(at.table[0].value) == len(sc.DEFAULT_RUNS)


def test_changing_the_surface_moves_the_start_to_its_own(app):
    at = app()
    at.selectbox(key="explorer.surface").set_value("rosenbrock").run()
    assert not at.exception
    assert "## Rosenbrock" in " ".join(h.value for h in at.markdown)
    assert (at.number_input(key="explorer.start_x").value, at.number_input(key="explorer.start_y").value) == (-1.5, 2.0)
    assert query(at)["surface"] == "rosenbrock" and "start" not in query(at)


def test_adding_a_run_adds_a_row_and_a_link_entry(app):
    at = app()
    at.button[[b.label for b in at.button].index("Add a run")].click().run()
    assert not at.exception
    assert len(at.table[0].value) == len(sc.DEFAULT_RUNS) + 1
    assert query(at)["optimizers"].count("(") == len(sc.DEFAULT_RUNS) + 1


def test_two_runs_of_one_optimizer_at_different_rates(app):
    at = app({"optimizers": "sgd(lr=0.001),sgd(lr=0.002)"})
    assert not at.exception
    rows = at.table[0].value
    assert list(rows["run"]) == ["SGD lr=0.001", "SGD lr=0.002"]
    assert float(rows["path length"].iloc[1]) > float(rows["path length"].iloc[0])


def test_a_preset_sets_everything_at_once(app):
    at = app()
    at.selectbox(key="explorer.preset").set_value("saddle").run()
    assert not at.exception
    q = query(at)
    assert q["surface"] == "saddle" and q.get("view") == "3d"
    assert q["optimizers"] == ",".join(sc.format_run(r) for r in sc.PRESETS["saddle"].scene.runs)
    assert any("What to watch" in c.value for c in at.caption)


def test_a_shared_link_opens_exactly_its_scene(app):
    link = {"surface": "rosenbrock", "optimizers": "adam(lr=0.05),sgd(lr=0.001,momentum=0.5)", "steps": "200",
            "start": "-1.5,2", "schedule": "step(step_size=30,gamma=0.5)"}
    at = app(link)
    assert not at.exception and not at.warning
    assert at.selectbox(key="explorer.surface").value == "rosenbrock"
    assert at.slider(key="explorer.steps").value == 200
    assert at.session_state["explorer.schedule.name"] == "step"
    scene, warnings = sc.from_query(query(at))
    assert warnings == []
    assert scene == sc.from_query(link)[0]


def test_a_malformed_link_warns_and_keeps_defaults(app):
    at = app({"surface": "nowhere", "optimizers": "adam(lr=-1),bogus,sgd(lr=0.01)", "steps": "1e9",
              "start": "a,b", "x<script>": "1"})
    assert not at.exception
    text = at.warning[0].value.replace("\\", "")  # the page escapes Markdown
    for fragment in ("nowhere", "lr='-1'", "bogus", "steps='1e9'", "start='a'", "unknown link parameters"):
        assert fragment in text
    assert at.selectbox(key="explorer.surface").value == "beale"
    assert list(at.table[0].value["run"]) == ["SGD lr=0.01"]


def test_presentation_mode_and_3d_view_render(app):
    at = app({"presentation": "1", "view": "3d"})
    assert not at.exception
    assert at.toggle(key="explorer.presentation").value is True


def test_every_optimizer_and_schedule_builds_its_widgets(app):
    from optimizers import OPTIMIZERS, SCHEDULES

    at = app({"steps": "20"})
    open_editors(at, 0, "schedule")
    for key in OPTIMIZERS:
        at.selectbox(key="explorer.run.0.opt").set_value(key).run()
        assert not at.exception, key
        assert not at.error, (key, [e.value for e in at.error])
        assert query(at)["optimizers"].startswith(key + "(")
    for key in SCHEDULES:
        at.selectbox(key="explorer.schedule.name").set_value(key).run()
        assert not at.exception, key
        assert not at.error, (key, [e.value for e in at.error])
        assert query(at)["schedule"].split("(")[0] == key


def test_an_invalid_setting_shows_a_message_and_keeps_the_rest(app):
    at = app({"optimizers": "adam(lr=0.05),sgd(lr=0.01)", "steps": "20"})
    open_editors(at, 0, 1)
    assert at.number_input(key="explorer.run.0.adam.betas.0").max == 0.9999  # β₁ = 1 cannot be typed
    at.checkbox(key="explorer.run.1.sgd.nesterov").check().run()  # Nesterov without momentum
    assert not at.exception
    assert "nesterov" in at.error[0].value.replace("\\", "")
    assert len(at.table[0].value) == 1  # the valid run still runs


def test_your_own_formula_becomes_a_surface(app):
    at = app()
    at.selectbox(key="explorer.surface").set_value("custom").run()
    at.text_input(key="explorer.formula").set_value("x^2 + 3*y^2").run()
    assert not at.exception and not at.error
    q = query(at)
    assert q["surface"] == "custom" and q["formula"] == "x^2 + 3*y^2"
    assert any("\\partial f}{\\partial x}" in x.value for x in at.latex)


def test_a_refused_formula_explains_itself_and_keeps_the_text(app):
    at = app()
    at.selectbox(key="explorer.surface").set_value("custom").run()
    at.text_input(key="explorer.formula").set_value("__import__('os').system('ls')").run()
    assert not at.exception
    assert "formula" in at.error[0].value.lower()
    assert at.text_input(key="explorer.formula").value == "__import__('os').system('ls')"
    assert query(at)["surface"] == "custom" and query(at)["formula"] == EXAMPLE  # the last valid surface


def test_a_refused_formula_keeps_the_last_valid_surface_and_its_start(app):
    """Not Beale with the formula's start: the formula that was valid before, from where it started."""
    at = app({"surface": "custom", "formula": "x^2 + 3*y^2", "start": "1.5,-1"})
    at.text_input(key="explorer.formula").set_value("x^2 + (3*y^2").run()
    assert not at.exception
    assert "formula" in at.error[0].value.lower() and "last surface that was valid" in at.error[0].value
    q = query(at)
    assert (q["surface"], q["formula"]) == ("custom", "x^2 + 3*y^2") and sc.from_query(q)[0].start == (1.5, -1.0)
    assert "Your formula" in " ".join(m.value for m in at.markdown)  # its title, not Beale's
    assert at.text_input(key="explorer.formula").value == "x^2 + (3*y^2"  # the typed text stays for fixing


def test_a_link_with_a_formula(app):
    at = app({"surface": "custom", "formula": "sin(x)*cos(y) + 0.1*(x**2 + y**2)", "steps": "50"})
    assert not at.exception and not at.warning
    assert at.selectbox(key="explorer.surface").value == "custom"
    assert "Your formula" in " ".join(m.value for m in at.markdown)


def test_a_visit_to_the_lab_keeps_the_scene(app):
    at = app({"scene": "long_valley"})
    at.switch_page("pages/vanishing.py").run()
    at.slider(key="vanishing.depth").set_value(8).run()
    at.switch_page("pages/explorer.py").run()
    assert not at.exception
    assert query(at)["surface"] == "ravine"
    assert query(at)["optimizers"] == ",".join(sc.format_run(r) for r in sc.PRESETS["long_valley"].scene.runs)
    at.switch_page("pages/vanishing.py").run()
    assert at.slider(key="vanishing.depth").value == 8


def test_links_beyond_the_widgets_warn_instead_of_breaking(app):
    at = app({"noise": "10", "start": "1e200,0"})
    assert not at.exception
    text = at.warning[0].value.replace("\\", "")
    assert "noise='10'" in text and "start" in text
    at = app({"surface": "custom", "formula": "exp(x**2)", "start": "30,0"})
    assert not at.exception and "not finite" in at.warning[0].value


def test_a_new_run_is_what_its_label_says_and_sgd_shows_the_rule_it_runs(app):
    at = app({"optimizers": "sgd(lr=0.01,momentum=0.9)"})
    assert not any("b_t = \\mu b_{t-1}" in x.value for x in at.latex)  # set only when asked for
    open_editors(at, "rules")  # (not an editor: the same kind of tracked expander)
    assert any("b_t = \\mu b_{t-1}" in x.value for x in at.latex)  # momentum's rule, not plain SGD's
    at.button[[b.label for b in at.button].index("Add a run")].click().run()
    assert query(at)["optimizers"].endswith("adam(lr=0.001)")
    assert any(e.label.startswith("2. Adam") for e in at.expander)


def test_a_locked_link_shows_the_scene_and_nothing_to_edit(app):
    at = app({"scene": "beale", "lock": "1"})
    assert not at.exception and not at.warning
    assert [h.value for h in at.markdown if h.value.startswith("## ")] == ["## Beale's function"]
    assert len(at.sidebar.selectbox) == 0 and len(at.sidebar.slider) == 0  # no editing
    assert len(at.toggle) == 0 and len(at.get("download_button")) == 0 and len(at.get("file_uploader")) == 0
    assert len(at.table[0].value) == len(sc.PRESETS["beale"].scene.runs)
    assert query(at)["lock"] == "1"
    assert any("What to watch" in c.value for c in at.caption)  # a locked preset still tells its story


def test_the_teachers_own_link_without_lock_edits_as_before(app):
    at = app({"scene": "beale"})
    assert len(at.sidebar.selectbox) >= 2 and "lock" not in query(at)


def test_a_malformed_lock_warns_and_opens_an_editable_scene(app):
    at = app({"scene": "beale", "lock": "yes please"})
    assert not at.exception
    assert "lock" in at.warning[0].value
    assert len(at.sidebar.selectbox) >= 2
