"""Descent Lab for a lecture hall: several Streamlit processes behind nginx, on one machine.

    python deploy/serve.py --processes 2 --port 8080 [--address 0.0.0.0] [--upstream HOST:PORT ...]

Starts ``--processes`` `streamlit run app.py` servers on free loopback ports (this repository's
.streamlit/config.toml, one shared cookie secret), waits until each answers and has run the app once
(Streamlit's script health check: imports and the default scene done before students come), then Debian's nginx in
the foreground with a configuration written to a temporary directory (never /etc): its logs, pid and
temporary files live there too. Ctrl-C (or SIGTERM) stops nginx, then every server, and removes the
directory; if any of them dies, the rest are stopped and the script exits with status 1.

What nginx does (see ``nginx_conf``):
- session affinity: its first answer to a browser sets a cookie (``dl_backend``, a random id) and the
  upstream is chosen by a consistent hash of it, so a tab's websocket, media files and uploads all
  reach the process that holds its session (Streamlit keeps sessions in process memory). Open-source
  nginx has no ``sticky cookie``; ``ip_hash`` would put a whole lecture hall behind one NAT address
  on one process. Each answer says which upstream served it in ``X-Upstream``.
- websockets: HTTP/1.1 with the Upgrade and Connection headers passed on, unbuffered, and read and
  send timeouts of 4 hours (a lecture; Streamlit pings every connection meanwhile).
- static bundles (the frontend's JavaScript, 23 MB uncompressed, the Plotly chunk alone 4.6 MB) are
  served by nginx itself from the installed streamlit package, gzip-compressed once at start-up
  (``gzip_static``) and cached by browsers for a year (their names carry a content hash); the
  Python processes never see them. Other answers are gzipped on the fly.
- ``--upstream HOST:PORT`` adds Streamlit servers started on other machines (same code, same
  streamlit version, same ``STREAMLIT_SERVER_COOKIE_SECRET``); the hash spreads students over all.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import streamlit

ROOT = Path(__file__).resolve().parents[1]
STATIC = Path(streamlit.__file__).parent / "static"
COMPRESSIBLE = {".js", ".mjs", ".css", ".html", ".json", ".svg", ".txt", ".map", ".ttf", ".otf", ".wasm"}
LECTURE = "4h"  # how long an idle websocket may stay open through the proxy


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.access(p, os.X_OK)), None)


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def compressed_static(into: Path) -> Path:
    """A mirror of streamlit's static folder under ``into``: every file (hard-linked where it can be, so
    nginx's workers need no access to the package's folders), and beside each text file its gzip
    (level 9), which nginx's gzip_static sends to browsers that accept gzip."""
    for path in STATIC.rglob("*"):
        target = into / path.relative_to(STATIC)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
        if path.suffix in COMPRESSIBLE and path.stat().st_size > 1024:
            with gzip.open(target.with_name(target.name + ".gz"), "wb", compresslevel=9) as out:
                out.write(path.read_bytes())
    return into


def worker_user() -> str:
    """nginx's workers drop root for an unprivileged user (Debian's www-data where it exists)."""
    if os.geteuid() != 0:
        return ""
    for name in ("www-data", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return f"user {name} {'www-data' if name == 'www-data' else 'nogroup'};"
    return ""


def nginx_conf(work: Path, listen: str, upstreams: list[str], static: Path) -> str:
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else (
        "types { text/html html; text/css css; application/javascript js mjs; application/json json map; "
        "image/svg+xml svg; image/png png; font/woff2 woff2; }")
    servers = "\n".join(f"        server {u} max_fails=0;" for u in upstreams)
    proxy = """proxy_pass http://streamlit;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            add_header Set-Cookie $affinity_cookie;
            add_header X-Upstream $upstream_addr always;"""
    return f"""# Written by deploy/serve.py; lives only as long as the script runs.
{worker_user()}
worker_processes auto;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; }}

http {{
    {mime}
    default_type application/octet-stream;
    access_log {work}/access.log;
    client_body_temp_path {work}/client_body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    client_max_body_size 2m;  # Streamlit refuses uploads over 1 MB itself (server.maxUploadSize)

    gzip on;
    gzip_comp_level 5;
    gzip_min_length 1024;
    gzip_proxied any;
    gzip_vary on;
    gzip_types text/css text/plain text/javascript application/javascript application/json image/svg+xml;

    map $http_upgrade $connection_upgrade {{ default upgrade; "" ""; }}
    # The affinity cookie: kept when the browser sends it, else a fresh random id set on this answer.
    map $cookie_dl_backend $affinity {{ "" $request_id; default $cookie_dl_backend; }}
    map $cookie_dl_backend $affinity_cookie {{
        "" "dl_backend=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}

    upstream streamlit {{
        hash $affinity consistent;
{servers}
        keepalive 64;
    }}

    server {{
        listen {listen};

        location /static/ {{
            alias {static}/static/;
            gzip_static on;
            add_header Cache-Control "public, max-age=31536000, immutable";
        }}

        location = /_stcore/stream {{
            {proxy}
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;
            proxy_read_timeout {LECTURE};
            proxy_send_timeout {LECTURE};
        }}

        location / {{
            {proxy}
            proxy_set_header Connection "";
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


def wait_healthy(url: str, procs: list[subprocess.Popen], seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if any(p.poll() is not None for p in procs):
            raise RuntimeError(f"a process exited before {url} answered")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer /_stcore/health within {seconds:.0f} s")


@contextlib.contextmanager
def streamlit_app(app: Path = ROOT / "app.py", cwd: Path = ROOT, log=subprocess.DEVNULL, seconds: float = 90):
    """``streamlit run app`` alone on a free local port for as long as the block runs; yields its URL
    once it answers its health check (the browser tests and benchmarks/first_figure.py serve with it)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=cwd, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, [proc], seconds)
        yield url
    finally:
        stop([proc])


def warm(url: str) -> None:
    """Run the app once in the process (Streamlit's script health check), so that its imports and the
    default scene are done before the first student arrives rather than while sixty do."""
    with contextlib.suppress(OSError):
        urllib.request.urlopen(url + "/_stcore/script-health-check", timeout=120).close()


def stop(procs: list[subprocess.Popen]) -> None:
    """nginx first (fast shutdown: a graceful one would wait hours for open websockets), then the servers."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.time() + 15
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def serve(processes: int, port: int, address: str, upstreams: list[str], quiet: bool = False) -> int:
    nginx = find_nginx()
    if nginx is None:
        print("deploy/serve.py: nginx is not installed (apt-get install nginx)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="descent-lab-deploy-"))
    work.chmod(0o755)  # nginx's workers (an unprivileged user) read the static mirror
    env = dict(os.environ, STREAMLIT_SERVER_COOKIE_SECRET=os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
               or secrets.token_hex(32))
    procs: list[subprocess.Popen] = []
    stopping = []

    def on_signal(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    out = subprocess.DEVNULL if quiet else None
    try:
        local = [free_port() for _ in range(processes)]
        for p in local:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(p),
                 "--server.address", "127.0.0.1", "--server.scriptHealthCheckEnabled", "true"],
                cwd=ROOT, env=env, stdout=out, stderr=out))
        static = compressed_static(work / "static")
        for p in local:
            wait_healthy(f"http://127.0.0.1:{p}", procs)
        with ThreadPoolExecutor(len(local) or 1) as pool:
            list(pool.map(warm, [f"http://127.0.0.1:{p}" for p in local]))
        conf = work / "nginx.conf"
        conf.write_text(nginx_conf(work, f"{address}:{port}", [f"127.0.0.1:{p}" for p in local] + upstreams,
                                   static))
        check = subprocess.run([nginx, "-t", "-q", "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)],
                               capture_output=True, text=True)
        if check.returncode:
            print(f"deploy/serve.py: nginx refused its configuration: {check.stderr.strip()}", file=sys.stderr)
            return 1
        procs.insert(0, subprocess.Popen([nginx, "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf),
                                          "-g", "daemon off;"]))
        wait_healthy(f"http://127.0.0.1:{port}" if address in ("0.0.0.0", "127.0.0.1") else
                     f"http://{address}:{port}", procs)
        backends = [f"127.0.0.1:{p}" for p in local] + upstreams
        print(f"Descent Lab on http://{address}:{port}/ : nginx in front of Streamlit at {', '.join(backends)}; "
              "Ctrl-C stops it all", flush=True)
        while not stopping:
            if any(p.poll() is not None for p in procs):
                print("deploy/serve.py: a process exited; stopping the rest", file=sys.stderr)
                return 1
            time.sleep(0.3)
        return 0
    except RuntimeError as e:
        print(f"deploy/serve.py: {e}", file=sys.stderr)
        return 1
    finally:
        stop(procs)
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2, help="Streamlit processes on this machine (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    parser.add_argument("--address", default="0.0.0.0", help="nginx's address (default 0.0.0.0: every interface)")
    parser.add_argument("--upstream", action="append", default=[], metavar="HOST:PORT",
                        help="a Streamlit server on another machine (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="the Streamlit servers' output to /dev/null")
    args = parser.parse_args(argv)
    if not 0 <= args.processes <= 32 or (args.processes == 0 and not args.upstream):
        parser.error("--processes from 1 to 32 (or 0 with at least one --upstream)")
    if not 1 <= args.port <= 65535:
        parser.error("--port from 1 to 65535")
    for u in args.upstream:
        host, _, port = u.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            parser.error(f"--upstream takes HOST:PORT, not {u!r}")
    return serve(args.processes, args.port, args.address, args.upstream, args.quiet)


if __name__ == "__main__":
    sys.exit(main())
