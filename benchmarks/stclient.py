"""A Streamlit client that speaks the app's own protocol, as streamlit 1.67's frontend does, without a browser.

One `Student` is one browser tab: it fetches the page and `/_stcore/health` (which sets the XSRF cookie,
and through the deploy/ proxy its affinity cookie), `/_stcore/host-config`, then opens the websocket
`/_stcore/stream` with the subprotocols the frontend sends (``streamlit``, the XSRF token), and sends
`BackMsg.rerun_script` with the link's query string, the page, and the browser's context. The server
answers with `ForwardMsg`s (protobufs from `streamlit.proto`) until `script_finished`. A widget change
is another rerun whose `widget_states` carry the changed value under the widget's id (read from the
element the server sent), with the page's current query string and the hashes of the large messages
already received (`cached_message_hashes`), to which the server may answer with a `ref_hash`, as it
does for a browser.

Times are taken when a message arrives; the figure's JSON is parsed afterwards (`Run.figure`), so the
client's own parsing does not count against the server.
"""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus
ERROR_ALERT = 1  # streamlit.proto.Alert.Format.ERROR


def run(coroutine):
    """``asyncio.run(coroutine)`` on a thread of its own, so that a caller already inside a running event
    loop (a test session that also drives Playwright's sync API) can use these clients too."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class ProtocolError(RuntimeError):
    """The server closed the stream, answered badly, or did not finish in time."""


@dataclass
class Run:
    """What one script run sent: its elements by widget key, the map figure and the run's timings."""

    started: float
    finished: float = float("nan")  # seconds from ``started`` to script_finished
    figure_at: float = float("nan")  # seconds from ``started`` to the map figure's delta
    figure_spec: str = ""  # the figure's JSON as sent (parsed lazily by ``figure``)
    widgets: dict[str, object] = field(default_factory=dict)  # widget key -> its element proto
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # st.error messages
    status: int = -1

    @property
    def figure(self) -> dict:
        return json.loads(self.figure_spec) if self.figure_spec else {}


def figure_problems(figure: dict, *, steps: int, runs: int) -> list[str]:
    """What is missing from a trajectory figure that should show ``runs`` runs over ``steps`` steps: its
    traces, its frames (the last one named after the last step) and its slider."""
    problems = []
    frames = figure.get("frames") or []
    if not frames or frames[-1].get("name") != str(steps):
        problems.append(f"last frame {frames[-1].get('name') if frames else None!r}, expected {steps!r}")
    sliders = (figure.get("layout") or {}).get("sliders") or []
    if not sliders or len(sliders[0].get("steps", ())) != len(frames):
        problems.append("the slider has not one step per frame")
    legend = {t.get("name") for t in figure.get("data", ()) if t.get("showlegend") is not False and t.get("name")}
    named = [n for n in legend if "lr=" in n]
    if len(named) != runs:
        problems.append(f"{len(named)} runs in the legend, expected {runs}")
    return problems


def user_key(widget_id: str) -> str:
    """The key the page gave a widget, from the id Streamlit made of it (``$$ID-<hash>-<key>``)."""
    return widget_id.split("-", 2)[-1]


def is_key(widget_id: str, key: str) -> bool:
    """Whether the widget's key is ``key``, alone or as the last part of a page's namespaced key
    (``explorer.steps``)."""
    own = user_key(widget_id)
    return own == key or own.endswith("." + key)


def dechunked(body: bytes) -> bytes:
    """The body of an HTTP/1.1 chunked transfer."""
    out = bytearray()
    while body:
        size, _, body = body.partition(b"\r\n")
        n = int(size.split(b";")[0], 16)
        if n == 0:
            break
        out += body[:n]
        body = body[n + 2:]
    return bytes(out)


class Student:
    """One browser tab's session against ``base_url`` (``http://host:port``)."""

    def __init__(self, base_url: str, *, timeout: float = 300.0):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.query = ""
        self.page_hash = ""
        self.cache: dict[str, ForwardMsg] = {}  # hash -> message, as the frontend's ForwardMsgCache
        self.served_by: set[str] = set()  # X-Upstream headers the proxy added (empty without the proxy)
        self.bytes_received = 0
        self._widget_ids: list[str] = []  # ids of the widgets the last run drew, in order

    # ------------------------------------------------------------------------------ HTTP

    async def get(self, path: str, *, accept_gzip: bool = False) -> tuple[int, dict[str, str], bytes]:
        """A plain HTTP/1.1 GET with this tab's cookies; remembers the cookies it sets. The body as sent
        (gzipped if ``accept_gzip`` and the server chose to)."""
        reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)
        try:
            lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: close",
                     f"Accept-Encoding: {'gzip' if accept_gzip else 'identity'}"]
            if self.cookies:
                lines.append(f"Cookie: {self.cookie_header()}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            raw = await asyncio.wait_for(reader.read(), self.timeout)
        finally:
            writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._keep_cookie(value)
            headers[name] = value
        if headers.get("transfer-encoding") == "chunked":
            body = dechunked(body)
        if "x-upstream" in headers:
            self.served_by.add(headers["x-upstream"])
        self.bytes_received += len(raw)
        return int(status_line.split()[1]), headers, body

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep_cookie(self, header: str) -> None:
        jar = SimpleCookie()
        jar.load(header.split(";", 1)[0])
        for name, morsel in jar.items():
            self.cookies[name] = morsel.value

    # ------------------------------------------------------------------------------ protocol

    async def open(self, query: str) -> Run:
        """Open the app at ``?query`` as a browser tab does; returns the first run."""
        started = time.perf_counter()
        for path in ("/" + ("?" + query if query else ""), "/_stcore/health", "/_stcore/host-config"):
            status, _, _ = await self.get(path)
            if status != 200:
                raise ProtocolError(f"GET {path}: HTTP {status}")
        xsrf = self.cookies.get("_streamlit_xsrf", "PLACEHOLDER_AUTH_TOKEN")
        self.ws = await websockets.connect(
            f"ws://{self.host}:{self.port}/_stcore/stream", subprotocols=["streamlit", xsrf],
            additional_headers={"Origin": self.origin, "Cookie": self.cookie_header()}, max_size=None,
            open_timeout=self.timeout, ping_interval=None, compression=None)
        upstream = self.ws.response.headers.get("X-Upstream")
        if upstream:
            self.served_by.add(upstream)
        self.query = query
        return await self._rerun(started, query=query)

    async def set_widget(self, key: str, value) -> Run:
        """Change the widget with user key ``key`` to ``value`` (as its element's type stores it)."""
        started = time.perf_counter()
        state = WidgetState(id=self.widget_id(key))
        if isinstance(value, bool):
            state.bool_value = value
        elif isinstance(value, (list, tuple)):
            state.double_array_value.data.extend(float(v) for v in value)
        elif isinstance(value, float):
            state.double_value = value
        elif isinstance(value, int):
            state.int_value = value
        else:
            state.string_value = str(value)
        return await self._rerun(started, query=self.query, widget=state)

    def widget_id(self, key: str) -> str:
        for wid in self._widget_ids:
            if is_key(wid, key):
                return wid
        raise ProtocolError(f"no widget with key {key!r} on the page")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def _rerun(self, started: float, *, query: str, widget: WidgetState | None = None) -> Run:
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = query
        rerun.page_script_hash = self.page_hash
        rerun.page_name = ""
        rerun.cached_message_hashes.extend(self.cache)
        rerun.context_info.url = f"{self.origin}/" + ("?" + query if query else "")
        rerun.context_info.timezone = "UTC"
        rerun.context_info.timezone_offset = 0
        rerun.context_info.locale = "en-US"
        rerun.context_info.is_embedded = False
        rerun.context_info.color_scheme = "light"
        if widget is not None:
            rerun.widget_states.widgets.append(widget)
        await self.ws.send(msg.SerializeToString())
        run = Run(started=started)
        deadline = started + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ProtocolError(f"the script had not finished after {self.timeout:.0f} s")
            try:
                data = await asyncio.wait_for(self.ws.recv(), remaining)
            except websockets.ConnectionClosed as e:
                raise ProtocolError(f"the server closed the stream: {e}") from e
            except TimeoutError:
                continue
            self.bytes_received += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            if fwd.WhichOneof("type") == "ref_hash":
                if fwd.ref_hash not in self.cache:
                    raise ProtocolError(f"a reference to a message this tab never received ({fwd.ref_hash})")
                fwd = self.cache[fwd.ref_hash]
            elif fwd.metadata.cacheable:
                self.cache[fwd.hash] = fwd
            if self._read(fwd, run):
                return run

    def _read(self, fwd: ForwardMsg, run: Run) -> bool:
        """Record one message into ``run``; True when the run has finished."""
        kind = fwd.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = fwd.new_session.page_script_hash
            self._widget_ids = []
        elif kind == "navigation":
            self.page_hash = fwd.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query = fwd.page_info_changed.query_string
        elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            which = element.WhichOneof("type")
            proto = getattr(element, which)
            wid = getattr(proto, "id", "")
            if wid.startswith("$$ID-"):
                if wid not in self._widget_ids:
                    self._widget_ids.append(wid)
                run.widgets[user_key(wid).rsplit(".", 1)[-1]] = proto
            if which == "plotly_chart" and is_key(wid, "map"):
                run.figure_spec = proto.spec
                run.figure_at = time.perf_counter() - run.started
            elif which == "exception":
                run.exceptions.append(f"{proto.type}: {proto.message}")
            elif which == "alert" and proto.format == ERROR_ALERT:
                run.errors.append(proto.body)
        elif kind == "script_finished":
            if fwd.script_finished == FINISHED.FINISHED_EARLY_FOR_RERUN:
                return False  # the page reran itself (st.rerun): the next run follows on the same stream
            run.status = fwd.script_finished
            run.finished = time.perf_counter() - run.started
            return True
        return False
