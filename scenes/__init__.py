"""The app's model, without Streamlit: scenes, their readable text format shared by links, JSON and the
command line, the prepared scenes, and what turns a scene into the figures' data."""

from .compute import compute, schedule_for
from .inside import Inspection, glyph_paths, inspect, last_update
from .links import from_json, from_query, to_json, to_query
from .lr_grid import cyclic_bounds, grid_rates, grid_search, judge, nearest, suggested_rates, train_rate
from .lr_range import RangeTest, lr_range_test, suggest_lr
from .lr_schedules import compare_schedules, schedule_set, schedule_table
from .model import CUSTOM, DEFAULT_RUNS, RunSpec, Scene, custom_surface, same_story, surface_of
from .presets import PRESETS, Preset, preset_of
from .summary import readable, summary_rows
from .text import (
    build_schedule,
    format_run,
    format_schedule,
    make_schedule,
    parse_run,
    parse_runs,
    parse_schedule,
    run_label,
    run_labels,
    scene_note,
    schedule_params,
    schedule_rates,
)

__all__ = ["CUSTOM", "DEFAULT_RUNS", "PRESETS", "Preset", "RangeTest", "RunSpec", "Scene", "build_schedule",
           "compare_schedules", "compute", "custom_surface", "cyclic_bounds", "format_run", "format_schedule",
           "from_json", "from_query", "grid_rates", "grid_search", "judge", "lr_range_test", "make_schedule",
           "nearest", "parse_run", "parse_runs", "parse_schedule", "preset_of", "readable", "run_label", "run_labels",
           "same_story", "scene_note", "schedule_for", "schedule_params", "schedule_rates", "schedule_set",
           "schedule_table", "suggest_lr", "suggested_rates", "summary_rows", "surface_of", "to_json", "to_query",
           "train_rate"]
__all__ += ["Inspection", "glyph_paths", "inspect", "last_update"]
