"""Links made before the restructure of issue 9 open the same scene after it.

``data/links_before_issue9.json`` was written by the code of commit 78eec9c (``viz.scene`` before it
became ``scenes``): for each link, the canonical link of the scene it opened (``to_query``) and how many
warnings it gave. Links are shared by teachers and kept in notes: they must keep opening what they did.
A link to a prepared scene (``?scene=beale``) opens that preset as it is now: presets are re-tuned so
that their captions stay true, and the link means the story, not the numbers of the day.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import scenes as sc

PRESETS_SINCE = {"torch_vs_lecture"}  # prepared after issue 9: no link to them is older than they are
CASES = json.loads((Path(__file__).parent / "data" / "links_before_issue9.json").read_text(encoding="utf-8"))


def _expected(case) -> dict[str, str]:
    link = case["link"]
    if "scene" not in link:
        return case["opens"]
    preset = sc.PRESETS[link["scene"]].scene
    shown = {k: v for k, v in (("view", link.get("view")), ("presentation", link.get("presentation") == "1"))
             if v is not None}
    return sc.to_query(replace(preset, **shown))


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_an_old_link_opens_the_scene_it_opened(case):
    scene, warnings = sc.from_query(case["link"])
    assert sc.to_query(scene) == _expected(case)
    assert len(warnings) == case["warnings"], warnings


def test_the_old_links_cover_every_optimizer_schedule_and_preset():
    from optimizers import OPTIMIZERS, SCHEDULES

    text = json.dumps([c["opens"] for c in CASES])
    assert all(f"{key}(" in text for key in OPTIMIZERS)
    assert all(f'"schedule": "{key}' in text for key in SCHEDULES)
    assert {c["link"].get("scene") for c in CASES} >= set(sc.PRESETS) - PRESETS_SINCE
