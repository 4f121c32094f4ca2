"""Every Streamlit workaround of the app, each with the behaviour it answers (streamlit 1.67).

tests/ui/test_workarounds.py fails when a behaviour changes, so that its workaround can go.
"""

from __future__ import annotations

import contextlib
import html

# pandas before any page: Plotly peeks into sys.modules for it, and when the first sessions of a fresh
# server ran at once, one of them found pandas half-imported by another's thread and failed
# (AttributeError in st.plotly_chart). app.py imports ui first, so pandas is whole before any page runs.
import pandas  # noqa: F401
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function


def run_through_navigation() -> None:
    """Rerun through app.py when this page was run without it.

    A ``pages/`` folder beside the entry point turns on Streamlit's old multipage mode until the first
    ``st.navigation`` call of the server's life switches it off (``PagesManager.uses_pages_directory``).
    So a fresh server whose first visit is a deep link (``/vanishing``) runs that page's file on its
    own, as the old mode did, without app.py's page config and navigation. Switching the flag off and
    rerunning sends that visit through app.py like every other."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@contextlib.contextmanager
def not_replayed():
    """Streamlit calls in this block are not recorded for a cached function's replay.

    ``st.cache_data`` records every element a cached function draws and draws it again on every cache
    hit; a progress bar updated from inside the computation would be replayed, every step of it, each
    time the cached result is used."""
    token = in_cached_function.set(False)
    try:
        yield
    finally:
        in_cached_function.reset(token)


# Streamlit has no button that copies a text: st.code's copy icon does, but its syntax highlighter costs
# about a second of the browser's time on the first figure. A plain button with a script instead; the
# clipboard API needs a secure context (https or localhost), a hidden text area and execCommand do
# elsewhere (a class server on plain http).
COPY_SCRIPT = """<button type="button" class="dl-copy" data-text="{text}" data-done="{done}" title="{done}"
 style="font: inherit; font-size: 0.875rem; line-height: 1.6; padding: 0.25rem 0.75rem; min-height: 2.5rem;
        border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: white; color: inherit;
        cursor: pointer;">{label}</button>
<script>
document.querySelectorAll('button.dl-copy:not([data-ready])').forEach(b => {{
  b.setAttribute('data-ready', '1');
  b.addEventListener('click', async () => {{
    const text = b.getAttribute('data-text');
    try {{ await navigator.clipboard.writeText(text); }} catch (e) {{
      const area = Object.assign(document.createElement('textarea'), {{value: text}});
      document.body.appendChild(area); area.select(); document.execCommand('copy'); area.remove();
    }}
    const label = b.textContent; b.textContent = '✓ ' + b.getAttribute('data-done');
    setTimeout(() => {{ b.textContent = label; }}, 2500);
  }});
}});
</script>"""


def copy_button(text: str, label: str, done: str) -> None:
    """A button that copies ``text`` to the clipboard and says ``done`` for a moment."""
    st.html(COPY_SCRIPT.format(text=html.escape(text, quote=True), label=html.escape(label),
                               done=html.escape(done, quote=True)), width="content", unsafe_allow_javascript=True)


# Plotly reports a click only on a data point (its clickanywhere only with clickmode "event", which
# Streamlit turns off unless points are selectable), and Streamlit forwards only selections: a map
# clicked anywhere had to land on a point of an invisible grid, as fine as the click should be
# precise. This script reads the click itself on the map's drag surface (a press and release within
# 3 px), turns the pixel into data coordinates with the map's own axes, and hands them to Streamlit
# as a box selection of zero size, the event Streamlit turns into the chart's ``selection.box``. The
# page's chart allows box selections.
CLICK_SCRIPT = """<script>
(() => {{
  const hook = () => document.querySelectorAll('{selector}').forEach(gd => {{
    if (gd.__startAtClick) return;
    gd.__startAtClick = true;
    let down = null;
    gd.addEventListener('mousedown', e => {{
      const drag = e.target.closest && e.target.closest('.nsewdrag');
      down = drag && drag.getAttribute('data-subplot') === 'xy' ? [e.clientX, e.clientY] : null;
    }}, true);
    window.addEventListener('mouseup', e => {{
      if (!down || !gd.isConnected || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 3) return;
      down = null;
      const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
      const x = xa.p2d(e.clientX - box.left - xa._offset), y = ya.p2d(e.clientY - box.top - ya._offset);
      gd.emit('plotly_selected', {{points: [], selections: [{{type: 'rect', xref: 'x', yref: 'y',
                                                                x0: x, x1: x, y0: y, y1: y}}]}});
    }}, true);
  }});
  hook();
  if (!window.__startAtClickTimer) window.__startAtClickTimer = setInterval(hook, 400);
}})();
</script>"""


def map_clicks(selector: str, where=st) -> None:
    """Turn a click anywhere on the Plotly map under ``selector`` into a box selection at that point."""
    where.html(CLICK_SCRIPT.format(selector=selector), unsafe_allow_javascript=True)


def steady_label(key: str, label: str) -> str:
    """The label to give the expander ``key`` (one that tracks its state): ``label``, but while the
    expander is open the label it had when it opened. An expander's identity includes its label, so a
    label that changes while it is open (a run's learning rate in its title) would close it."""
    state = st.session_state
    shown = state.get(key + ".label", label) if state.get(key) else label
    state[key + ".label"] = shown
    return shown
