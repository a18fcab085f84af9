"""Test support: headless Debian Chromium driven by Playwright, a loopback HTTP server, and a
recorder of every request a page makes."""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
LOCAL_SCHEMES = {"file", "data", "blob", "about"}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@contextlib.contextmanager
def serve(directory: Path, headers: dict[str, str] | Callable[[str], dict[str, str]] | None = None):
    """Serves ``directory`` on 127.0.0.1 (a free port) and yields the base URL. ``headers`` are added
    to every response: a fixed dict, or a function of the request's path (``headers_for(path)``).
    Like Netlify, a missing file (or a folder without index.html) gets ``404.html`` with status 404."""
    extra = headers if callable(headers) else (lambda path, fixed=headers or {}: fixed)
    not_found = Path(directory) / "404.html"

    class Handler(QuietHandler):
        def end_headers(self):
            for name, value in extra(urlparse(self.path).path).items():
                self.send_header(name, value)
            super().end_headers()

        def list_directory(self, path):
            self.send_error(404)

        def send_error(self, code, message=None, explain=None):
            if code != 404 or not not_found.is_file():
                return super().send_error(code, message, explain)
            body = not_found.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class Recorder:
    """Collects requests, console errors and dialogs of a page."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def on_dialog(dialog):
            self.dialogs.append(dialog.message)
            dialog.dismiss()
        page.on("dialog", on_dialog)

    def foreign_requests(self) -> list[str]:
        """Requests to anything but this machine's loopback server or the file system."""
        out = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in LOCAL_SCHEMES:
                continue
            if parsed.hostname in ("127.0.0.1", "localhost"):
                continue
            out.append(url)
        return out


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
