"""Pictures and animations as file bytes: PNG, SVG and PDF of a matplotlib figure, and GIF and MP4 of
``viz.static.Movie``'s pictures, fed to ``PillowWriter`` (GIF, with one palette shared by all frames)
or ``FFMpegWriter`` (MP4, H.264, ffmpeg from the imageio-ffmpeg package) as raw RGBA buffers."""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping

import matplotlib as mpl
from matplotlib.animation import FFMpegWriter, PillowWriter
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from PIL import Image

from viz.static import ANIMATION_DPI, ANIMATION_SIZE, STATIC_DPI, STATIC_SIZE, Movie, colors_of, frame_times
from viz.vanishing_static import FONTSIZE, KINDS, lab_figure

from .errors import ExportError
from .formats import ANIMATION_FPS, ANIMATION_FRAMES

HOLD_LAST_MS = 1500  # the last picture stays this long before a GIF loops
LAB_FORMATS = ("png", "svg")
# editable text, and ids hashed with a fixed salt instead of a random one: the same figure, the same file
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "descent-lab"}
_SVG_RC_LOCK = threading.Lock()


def figure_bytes(fig: Figure, fmt: str, dpi: float | None = None) -> bytes:
    """``fig`` as PNG, SVG or PDF bytes. SVG and PDF carry no creation date, so the same figure gives
    the same file."""
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi or fig.dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()


def lab_figure_bytes(kind: str, fmt: str, *data, dpi: float = STATIC_DPI, size=STATIC_SIZE,
                     fontsize: float = FONTSIZE) -> bytes:
    """``lab_figure(kind, *data)`` as PNG (1600 × 1000 pixels at the default size and dpi) or SVG.
    The SVG keeps its text as text, editable on a slide, and is the same file for the same data.
    Both are matplotlib's global ``SVG_RC`` settings, so they are set under a lock and only while
    the file is written; another thread's SVG written meanwhile may get them too, which is harmless."""
    if fmt not in LAB_FORMATS:
        raise ExportError(f"the lab's figures are exported as {' or '.join(LAB_FORMATS)}, not {fmt!r}")
    if kind not in KINDS:
        raise ExportError(f"unknown figure {kind!r}; valid: {', '.join(KINDS)}")
    fig = lab_figure(kind, *data, size=size, fontsize=fontsize)
    if fmt == "png":
        return figure_bytes(fig, fmt, dpi)
    with _SVG_RC_LOCK:
        before = {key: mpl.rcParams[key] for key in SVG_RC}
        mpl.rcParams.update(SVG_RC)
        try:
            return figure_bytes(fig, fmt, dpi)
        finally:
            mpl.rcParams.update(before)


class _GifWriter(PillowWriter):
    """PillowWriter fed with ready RGBA buffers; every frame is mapped to one palette made from the
    first, and the last picture is held before the loop restarts."""

    def __init__(self, *args, colors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._exact = [tuple(round(255 * c) for c in to_rgba(color)[:3]) for color in
                       dict.fromkeys((*colors, "white", "black", "#111111", "#222222"))]

    def setup(self, fig, outfile, dpi=None):
        super().setup(fig, outfile, dpi=dpi)
        self._palette = None

    def add_buffer(self, rgba: memoryview, size):
        im = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1).convert("RGB")
        if self._palette is None:
            # the first picture's colours, and the runs' colours exactly (a median cut would shade them)
            n = 256 - len(self._exact)
            base = im.quantize(colors=n, method=Image.Quantize.MEDIANCUT).getpalette()[: 3 * n]
            base += [0] * (3 * n - len(base))
            self._palette = Image.new("P", (1, 1))
            self._palette.putpalette(base + [c for rgb in self._exact for c in rgb])
        self._frames.append(im.quantize(palette=self._palette, dither=Image.Dither.NONE))

    def finish(self):
        durations = [round(1000 / self.fps)] * len(self._frames)
        durations[-1] = max(durations[-1], HOLD_LAST_MS)
        self._frames[0].save(self.outfile, format="GIF", save_all=True, append_images=self._frames[1:],
                             duration=durations, loop=0, disposal=1)


class _MP4Writer(FFMpegWriter):
    """FFMpegWriter fed with ready RGBA buffers (its raw frame format), running the given ffmpeg
    binary (rather than rcParams', which are global to every thread of a server)."""

    def __init__(self, executable: str, **kwargs):
        super().__init__(**kwargs)
        self._executable = executable

    def bin_path(self):
        return self._executable

    def add_buffer(self, rgba: memoryview, size):
        if tuple(size) != tuple(self.frame_size):
            raise ExportError(f"internal: a frame of {size} pixels for a video of {self.frame_size}")
        self._proc.stdin.write(rgba)


def ffmpeg_executable() -> str:
    """The ffmpeg binary of the imageio-ffmpeg package; ExportError where it is not installed."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as e:
        raise ExportError("MP4 needs ffmpeg, which the imageio-ffmpeg package ships: pip install imageio-ffmpeg "
                          f"(or export .gif instead); {type(e).__name__}: {e}") from None


def animation_bytes(surface, runs: Mapping, bands: Mapping | None, fmt: str, *, start=None, note: str = "",
                    fps: int = ANIMATION_FPS, frames: int = ANIMATION_FRAMES, dpi: float = ANIMATION_DPI,
                    size=ANIMATION_SIZE, fontsize: float = 11.0,
                    progress: Callable[[float], None] | None = None) -> bytes:
    """The race of ``runs`` on ``surface`` as GIF or MP4 bytes: ``frames + 1`` pictures at ``fps``, the
    paths growing from the start with a fading trail behind each head, the loss curves growing in step,
    and the step counter on the map. ``progress(fraction)`` is called after every picture."""
    if fmt not in ("gif", "mp4"):
        raise ExportError(f"animations are gif or mp4, not {fmt!r}")
    exe = ffmpeg_executable() if fmt == "mp4" else None
    width, height = int(size[0] * dpi), int(size[1] * dpi)
    if fmt == "mp4":  # H.264 in yuv420p wants even sides
        width, height = width - width % 2, height - height % 2
    # half a pixel more, so that every int(inches * dpi) in matplotlib truncates to exactly these sides
    movie = Movie(surface, runs, bands, start=start, note=note, dpi=dpi,
                  size=((width + 0.5) / dpi, (height + 0.5) / dpi), fontsize=fontsize)
    times = frame_times(movie.steps, frames)
    with tempfile.TemporaryDirectory(prefix="descent-lab-") as tmp:
        out = os.path.join(tmp, f"animation.{fmt}")
        if fmt == "gif":
            writer = _GifWriter(fps=fps, colors=colors_of(runs).values())
        else:
            writer = _MP4Writer(exe, fps=fps, codec="libx264",
                                extra_args=["-pix_fmt", "yuv420p", "-preset", "fast", "-crf", "23",
                                            "-movflags", "+faststart"])
        try:
            with writer.saving(movie.fig, out, dpi):
                for i, t in enumerate(times):
                    writer.add_buffer(movie.draw(float(t)), (width, height))
                    if progress is not None:
                        progress((i + 1) / len(times))
        except (OSError, subprocess.CalledProcessError) as e:
            raise ExportError(f"ffmpeg could not write the video ({type(e).__name__}: {e}); "
                              "try .gif instead") from None
        with open(out, "rb") as f:
            return f.read()
