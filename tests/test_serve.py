"""The preview server over real HTTP on 127.0.0.1, and the logic that decides when to rebuild."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from tornado import httpclient, websocket

from digest import serve
from digest.problems import Problem
from digest.serve import SKIPPED_DIRS, WATCHED, Debounce, Preview, Rebuilder, Sources, Status, is_editor_litter, locate
from digest.serve.notify import SCAN_ALL, Wakeups
from tests.conftest import REPO

ARTICLE = """-- content/articles/first.md --
---
title: First article
date: 2021-10-19
---
Original body text.
"""
SECRET = "TOP-SECRET-DO-NOT-SERVE"


# --- helpers --------------------------------------------------------------------------------


@pytest.fixture
def site_project(project):
    """A tiny project with one article and a secret just outside site/."""
    root = project(ARTICLE)
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    return root


@pytest.fixture
def preview(site_project):
    """A running preview of site_project on a free loopback port."""
    with Preview(site_project, port=0, poll=0.02).running() as running:
        yield running


def request(preview, path, method="GET", headers=None):
    """One request with full control of path and headers; returns (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    headers = {"Host": f"127.0.0.1:{preview.port}", **(headers or {})}
    try:
        connection.request(method, path, headers={k: v for k, v in headers.items() if v is not None})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def raw(preview, data: bytes) -> bytes:
    """Send raw bytes, return whatever the server answers before closing (or 2 s pass)."""
    with socket.create_connection(("127.0.0.1", preview.port), timeout=5) as conn:
        conn.sendall(data)
        conn.settimeout(2)
        chunks = []
        try:
            while chunk := conn.recv(65536):
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks):
                    break
        except (socket.timeout, ConnectionResetError):  # it may hang up on what it will not read
            pass
    return b"".join(chunks)


def status(preview) -> dict:
    code, _, body = request(preview, serve.STATUS_PATH)
    assert code == 200
    return json.loads(body)


def wait_for(condition, timeout=10.0, what="condition"):
    """Poll until condition() is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def run_async(function):
    """Run an async function to completion on a fresh loop in its own thread; return its result."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, function()).result(timeout=60)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- serving --------------------------------------------------------------------------------


def test_serves_pages_with_the_preview_script(preview):
    code, headers, body = request(preview, "/articles/first/")
    assert code == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"Original body text." in body
    assert b'<script src="/__digest__/preview.js" data-pages="1" data-css="1"></script></head>' in body
    assert headers["Cache-Control"] == "no-store"


def test_index_html_and_static_files(preview):
    assert request(preview, "/")[0] == 200
    assert request(preview, "/articles/first/index.html")[0] == 200
    code, headers, body = request(preview, "/style.css?livereload=123")
    assert code == 200 and headers["Content-Type"] == "text/css; charset=utf-8"
    assert body == (preview.root / "layouts/static/style.css").read_bytes()


def test_folder_without_slash_redirects(preview):
    code, headers, _ = request(preview, "/articles/first?x=1")
    assert code in (301, 302)
    assert headers["Location"] == "/articles/first/?x=1"


def test_missing_page_is_the_sites_404_page(preview):
    code, _, body = request(preview, "/no/such/page/")
    assert code == 404
    assert body.startswith(b"<!doctype html>") and b"Page not found" in body
    assert serve.SCRIPT_PATH.encode() in body  # the overlay works on a 404 too
    assert request(preview, "/articles/first/index.html/")[0] == 404  # a file is not a folder


def test_head_has_no_body(preview):
    code, headers, body = request(preview, "/", method="HEAD")
    assert code == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_other_methods_are_refused(preview):
    assert request(preview, "/", method="POST")[0] == 405
    assert request(preview, "/", method="DELETE")[0] == 405


def test_the_preview_script_and_livereload_client_are_served(preview):
    code, headers, body = request(preview, serve.SCRIPT_PATH)
    assert code == 200 and b"LiveReloadPlugin" in body
    code, _, body = request(preview, "/livereload.js?port=1")
    assert code == 200 and b"LiveReload" in body


def test_the_site_folder_never_gets_the_preview_script(preview):
    for path in (preview.root / "site").rglob("*"):
        if path.is_file():
            assert b"__digest__" not in path.read_bytes(), path


def test_site_under_a_sub_path_is_served_there(project):
    root = project(ARTICLE, config="title: T\nbase_url: https://example.org/digest/\n")
    with Preview(root, port=0).running() as running:
        code, headers, _ = request(running, "/")
        assert code in (301, 302) and headers["Location"] == "/digest/"
        code, _, body = request(running, "/digest/articles/first/")
        assert code == 200 and b'href="/digest/style.css"' in body
        assert request(running, "/digest")[0] in (301, 302)
        assert request(running, "/articles/first/")[0] == 404
        assert request(running, "/digestive/")[0] == 404


# --- nothing outside site/ ------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/../secret.txt",
    "/articles/../../secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/%252e%252e%252fsecret.txt",  # double-encoded: must not be decoded twice
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "/articles\\..\\..\\secret.txt",
    "/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 dots
    "/%00",
    "/index.html%00.css",
    "/./index.html/../../secret.txt",
    "//secret.txt",
    "/%2fsecret.txt",
])
def test_traversal_is_refused(preview, path):
    code, _, body = request(preview, path)
    assert 400 <= code < 500, (path, code)
    assert SECRET.encode() not in body
    assert b"Traceback" not in body


def test_raw_traversal_and_nul_in_the_request_line(preview):
    for target in (b"/../secret.txt", b"../secret.txt", b"/\x00", b"/a\x00b", b"secret.txt", b"*",
                   b"http://evil.example/../secret.txt"):
        answer = raw(preview, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % preview.port)
        assert answer.startswith(b"HTTP/1.1 4"), (target, answer[:80])
        assert SECRET.encode() not in answer


def test_symlinks_out_of_site_are_not_followed(preview):
    site = preview.root / "site"
    os.symlink(preview.root / "secret.txt", site / "leak.txt")
    os.symlink(preview.root, site / "leakdir")
    os.symlink("/etc", site / "etc")
    for path in ("/leak.txt", "/leakdir/secret.txt", "/leakdir/", "/leakdir", "/etc/passwd"):
        code, _, body = request(preview, path)
        assert code == 404, path
        assert SECRET.encode() not in body and b"root:" not in body


def test_symlink_inside_site_is_served(preview):
    site = preview.root / "site"
    os.symlink(site / "style.css", site / "alias.css")
    assert request(preview, "/alias.css")[0] == 200


def test_locate_never_leaves_the_folder(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text("x")
    (tmp_path / "outside.txt").write_text("x")
    assert locate(site, "/a/").file == site / "a" / "index.html"
    assert locate(site, "/a").redirect == "/a/"
    assert locate(site, "/").file is None  # no index.html at the root
    assert locate(site, "/../outside.txt").bad
    assert locate(site, "/a/\\..\\outside.txt").bad
    assert locate(site, "/a\x00").bad
    assert locate(site, "relative").bad
    assert locate(site, "/a b/").file is None and not locate(site, "/a b/").bad


# --- who may ask ----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1", "127.0.0.1:1",
                                  "localhost.evil.example:{port}", "127.0.0.1.nip.io:{port}", ""])
def test_foreign_host_header_is_refused(preview, host):
    for path in ("/", serve.STATUS_PATH, serve.SCRIPT_PATH, "/livereload.js", "/no/such/"):
        code, _, body = request(preview, path, headers={"Host": host.format(port=preview.port)})
        assert code == 403, (host, path)
        assert b"Original body" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_loopback_host_headers_are_served(preview, host):
    assert request(preview, "/", headers={"Host": host.format(port=preview.port)})[0] == 200


def test_request_without_host_is_refused(preview):
    answer = raw(preview, b"GET / HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 403") or answer.startswith(b"HTTP/1.1 403"), answer[:60]


def test_cross_origin_requests_to_the_endpoints_are_refused(preview):
    for path in (serve.STATUS_PATH, serve.SCRIPT_PATH):
        assert request(preview, path, headers={"Origin": "http://evil.example"})[0] == 403
        assert request(preview, path, headers={"Origin": "null"})[0] == 403
        assert request(preview, path, headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
        assert request(preview, path, headers={"Origin": f"http://127.0.0.1:{preview.port}"})[0] == 200
        assert request(preview, path, headers={"Sec-Fetch-Site": "same-origin"})[0] == 200


def _upgrade(preview, origin: str | None, host: str | None = None) -> int:
    headers = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": origin}
    if host:
        headers["Host"] = host
    return request(preview, "/livereload", headers=headers)[0]


def test_cross_origin_websocket_is_refused(preview):
    assert _upgrade(preview, "http://evil.example") == 403
    assert _upgrade(preview, f"http://evil.example:{preview.port}") == 403
    assert _upgrade(preview, f"http://127.0.0.1:{preview.port}", host="evil.example") == 403
    assert _upgrade(preview, f"http://127.0.0.1:{preview.port}") == 101
    assert _upgrade(preview, f"http://localhost:{preview.port}", host=f"localhost:{preview.port}") == 101


# --- bad requests and load ------------------------------------------------------------------


@pytest.mark.parametrize("data", [
    b"THIS IS NOT HTTP\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET /%ff HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: -5\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS hello
])
def test_malformed_request_gets_4xx_and_the_server_stays_up(preview, data):
    answer = raw(preview, data.replace(b"{port}", str(preview.port).encode()))
    assert answer == b"" or answer.split(b" ", 2)[1].startswith(b"4"), answer[:80]
    assert b"Traceback" not in answer
    assert request(preview, "/")[0] == 200


def test_websocket_garbage_closes_that_socket_only(preview):
    async def talk():
        url = f"ws://127.0.0.1:{preview.port}/livereload"
        req = httpclient.HTTPRequest(url, headers={"Origin": f"http://127.0.0.1:{preview.port}"})
        conn = await websocket.websocket_connect(req)
        await conn.write_message("{not json")
        return await conn.read_message()  # None: closed
    assert run_async(talk) is None
    assert request(preview, "/")[0] == 200


def test_a_flood_of_requests_leaves_it_responsive(preview):
    paths = ["/", "/articles/first/", "/style.css", "/nope/", "/../secret.txt", serve.STATUS_PATH] * 50
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lambda path: request(preview, path)[0], paths))
    assert len(codes) == 300
    assert set(codes) <= {200, 400, 404}
    started = time.monotonic()
    assert request(preview, "/")[0] == 200
    assert time.monotonic() - started < 1.0


# --- rebuilds, as the browser sees them -----------------------------------------------------


def test_a_save_rebuilds_and_the_status_moves_on(preview):
    before = status(preview)
    article = preview.root / "content/articles/first.md"
    article.write_text(article.read_text().replace("Original", "Edited"), encoding="utf-8")
    after = wait_for(lambda: (s := status(preview))["pages"] > before["pages"] and s, what="a rebuild")
    assert after["ok"] and after["css"] == after["pages"]
    assert b"Edited body text." in request(preview, "/articles/first/")[2]


def test_a_broken_file_keeps_the_last_good_site_and_reports_every_problem(preview):
    article = preview.root / "content/articles/first.md"
    good = article.read_text()
    article.write_text("---\ntitle: First article\ndate: [unclosed\n---\nBroken body.\n", encoding="utf-8")
    (preview.root / "content/articles/second.md").write_text("no front matter\n", encoding="utf-8")
    broken = wait_for(lambda: (s := status(preview))["ok"] is False and s, what="a failed build")
    texts = [p["text"] for p in broken["problems"]]
    assert any(t.startswith("content/articles/first.md:3: error: ") for t in texts), texts
    assert any(t.startswith("content/articles/second.md:1: error: ") for t in texts), texts
    assert broken["pages"] == 1
    code, _, body = request(preview, "/articles/first/")
    assert code == 200 and b"Original body text." in body and b'data-pages="1"' in body
    article.write_text(good.replace("Original", "Fixed"), encoding="utf-8")
    (preview.root / "content/articles/second.md").unlink()
    fixed = wait_for(lambda: (s := status(preview))["ok"] and s, what="a good build")
    assert fixed["pages"] > broken["serial"] - 1 and fixed["problems"] == []
    assert b"Fixed body text." in request(preview, "/articles/first/")[2]


def test_a_stylesheet_only_change_keeps_the_pages(preview):
    before = status(preview)
    css = preview.root / "layouts/static/style.css"
    css.write_text(css.read_text() + "\nbody { outline: 0; }\n", encoding="utf-8")
    after = wait_for(lambda: (s := status(preview))["css"] > before["css"] and s, what="a CSS build")
    assert after["pages"] == before["pages"]
    assert request(preview, "/style.css")[2].endswith(b"outline: 0; }\n")


def test_reload_messages_reach_a_connected_page(preview):
    async def listen():
        origin = f"http://127.0.0.1:{preview.port}"
        req = httpclient.HTTPRequest(f"ws://127.0.0.1:{preview.port}/livereload", headers={"Origin": origin})
        conn = await websocket.websocket_connect(req)
        await conn.write_message(json.dumps({"command": "hello", "protocols": [
            "http://livereload.com/protocols/official-7"]}))
        hello = json.loads(await conn.read_message())
        css = preview.root / "layouts/static/style.css"
        await asyncio.to_thread(css.write_text, css.read_text() + "\na { color: red; }\n")
        css_reload = json.loads(await asyncio.wait_for(conn.read_message(), 10))
        article = preview.root / "content/articles/first.md"
        await asyncio.to_thread(article.write_text, article.read_text().replace("Original", "New"))
        page_reload = json.loads(await asyncio.wait_for(conn.read_message(), 10))
        conn.close()
        return hello, css_reload, page_reload
    hello, css_reload, page_reload = run_async(listen)
    assert hello["command"] == "hello" and "http://livereload.com/protocols/official-7" in hello["protocols"]
    assert css_reload == {"command": "reload", "path": "/style.css", "liveCSS": True, "liveImg": True}
    assert page_reload["command"] == "reload" and page_reload["path"] == "/"


def test_new_seeds_are_imported_once_and_built_once(site_project, monkeypatch):
    calls = []

    def fake_import(self, report):
        calls.append(time.monotonic())
        if not (self.root / "seeds" / "new.txt").exists():
            return []  # the first build imports pending seeds too: there are none yet
        written = self.root / "content/articles/imported.md"
        written.write_text("---\ntitle: Imported\ndate: 2021-01-02\n---\nFrom a seed.\n", encoding="utf-8")
        return [written]

    monkeypatch.setattr(Preview, "_import_seeds", fake_import)
    with Preview(site_project, port=0, poll=0.02).running() as running:
        (site_project / "seeds").mkdir(exist_ok=True)
        (site_project / "seeds" / "new.txt").write_text("Headline\n\nBody.\n", encoding="utf-8")
        built = wait_for(lambda: (s := status(running))["serial"] >= 2 and s, what="the import build")
        time.sleep(0.5)
        assert status(running)["serial"] == built["serial"] == 2  # the imported file is no new change
        assert len(calls) == 2  # at the start, and for the new seed
        assert b"From a seed." in request(running, "/articles/imported/")[2]


def test_a_crashing_build_is_reported_and_the_server_stays_up(site_project, monkeypatch):
    with Preview(site_project, port=0, poll=0.02).running() as running:
        def crash(root, overrides=None, **options):
            raise RuntimeError("simulated bug")
        monkeypatch.setattr(serve.pipeline, "build", crash)
        (site_project / "site.yaml").write_text("title: Changed\n", encoding="utf-8")
        failed = wait_for(lambda: (s := status(running))["ok"] is False and s, what="a crash report")
        assert "the build crashed" in failed["problems"][0]["message"]
        assert request(running, "/")[0] == 200


# --- when to build --------------------------------------------------------------------------


def simulate(debounce: Debounce, changes: list[float], build_seconds: float = 0.0,
             during_build: list[float] = (), until: float = 5.0, tick: float = 0.01) -> list[float]:
    """Drive a Debounce like the watcher does; returns the times builds started."""
    pending = sorted(changes)
    late = sorted(during_build)
    builds, now = [], 0.0
    while now < until:
        while pending and pending[0] <= now:
            debounce.change(pending.pop(0))
        if debounce.due(now):
            debounce.started()
            builds.append(now)
            now += build_seconds
            # Saves made while the build ran are seen by the first poll after it.
            while late and late[0] <= now:
                debounce.change(late.pop(0))
        now = round(now + tick, 6)
    return builds


def test_a_burst_of_changes_is_one_build_after_the_quiet_period():
    builds = simulate(Debounce(quiet=0.1), [0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.12, 0.15, 0.19])
    assert len(builds) == 1
    assert 0.29 <= builds[0] <= 0.31


def test_a_change_during_a_build_gives_exactly_one_more_build():
    builds = simulate(Debounce(quiet=0.1), [0.0], build_seconds=0.5, during_build=[0.3, 0.35])
    assert len(builds) == 2
    assert builds[1] >= 0.6


def test_endless_saves_still_build_now_and_then():
    builds = simulate(Debounce(quiet=0.1, longest=1.0), [i * 0.05 for i in range(60)], until=3.5)
    assert 2 <= len(builds) <= 4


def test_debounce_waits_only_when_something_is_pending():
    debounce = Debounce(quiet=0.1, longest=1.0)
    assert debounce.wait(5.0) is None and not debounce.due(5.0)
    debounce.change(5.0)
    assert debounce.wait(5.02) == pytest.approx(0.08)
    assert debounce.due(5.11)
    debounce.started()
    assert debounce.wait(6.0) is None


class Recorder:
    """A stand-in for the build: records each call's changed paths; can run a hook inside."""

    def __init__(self, during=None, seconds=0.0):
        self.calls: list[set[str]] = []
        self.during = during
        self.seconds = seconds

    def __call__(self, changed):
        self.calls.append(changed)
        if self.during and len(self.calls) == 1:
            self.during()
        time.sleep(self.seconds)


@pytest.fixture(params=["polling", "inotify"])
def watched(tmp_path, request):
    """A project folder with a content file, and a runner for a Rebuilder over it: polling, or
    told of saves by inotify (notify.py; this machine has it, so it must be there)."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("a0")
    (tmp_path / "site.yaml").write_text("title: x\n")
    stops = []

    def start(recorder, quiet=0.1):
        stop = threading.Event()
        wakeups = None
        if request.param == "inotify":
            wakeups = Wakeups.open(tmp_path, WATCHED, SKIPPED_DIRS, is_editor_litter)
            assert wakeups is not None
        rebuilder = Rebuilder(Sources(tmp_path), recorder, quiet=quiet, poll=0.01, wakeups=wakeups)
        thread = threading.Thread(target=rebuilder.run, args=(stop,), daemon=True)
        thread.start()
        stops.append((stop, thread, wakeups))
        return rebuilder

    yield tmp_path, start
    for stop, thread, wakeups in stops:
        stop.set()
        thread.join(5)
        if wakeups is not None:
            wakeups.close()


def test_ten_saves_in_quick_succession_build_once(watched):
    root, start = watched
    recorder = Recorder()
    start(recorder, quiet=0.3)  # generous, so a slow machine cannot split the burst
    for i in range(10):
        (root / "content" / "a.md").write_text(f"a{i + 1}")
        time.sleep(0.02)
    wait_for(lambda: recorder.calls, what="a build")
    time.sleep(0.4)
    assert recorder.calls == [{"content/a.md"}]


def test_a_save_during_a_build_builds_once_more(watched):
    root, start = watched
    recorder = Recorder(during=lambda: (root / "content" / "a.md").write_text("during"), seconds=0.3)
    start(recorder)
    (root / "site.yaml").write_text("title: y\n")
    wait_for(lambda: len(recorder.calls) == 2, what="the second build")
    time.sleep(0.4)
    assert recorder.calls == [{"site.yaml"}, {"content/a.md"}]


def test_write_to_temp_then_rename_is_one_change(watched):
    root, start = watched
    recorder = Recorder()
    start(recorder)
    temp = root / "content" / ".a.md.swp"
    temp.write_text("swap")  # editor litter alone builds nothing
    time.sleep(0.3)
    assert recorder.calls == []
    temp = root / "content" / "a.md.tmp"
    temp.write_text("renamed in")
    os.replace(temp, root / "content" / "a.md")
    wait_for(lambda: recorder.calls, what="a build")
    time.sleep(0.3)
    assert recorder.calls == [{"content/a.md"}]


def test_a_new_folder_and_the_files_saved_into_it_are_seen(watched):
    root, start = watched
    recorder = Recorder()
    start(recorder)
    (root / "content" / "articles").mkdir()
    time.sleep(0.3)
    (root / "content" / "articles" / "new.md").write_text("new")
    wait_for(lambda: {"content/articles/new.md"} in recorder.calls, what="a build for the new file")
    (root / "content" / "articles" / "new.md").write_text("edited")
    wait_for(lambda: recorder.calls.count({"content/articles/new.md"}) == 2, what="a build for its edit")


def test_inotify_names_the_saved_files_and_asks_for_a_scan_when_a_folder_changes(tmp_path):
    (tmp_path / "content" / "articles").mkdir(parents=True)
    (tmp_path / "content" / "articles" / "a.md").write_text("a")
    wakeups = Wakeups.open(tmp_path, WATCHED, SKIPPED_DIRS, is_editor_litter)
    assert wakeups is not None
    try:
        sources = Sources(tmp_path)
        (tmp_path / "content" / "articles" / "a.md").write_text("b")
        (tmp_path / "content" / "articles" / ".a.md.swp").write_text("litter")
        (tmp_path / "site.yaml").write_text("title: x\n")
        (tmp_path / "site").mkdir()  # the build's own folders at the root are not watched
        (tmp_path / "notes.txt").write_text("not watched")
        touched = wakeups.wait(0.5)
        assert touched == {"content/articles/a.md", "site.yaml"}
        assert sources.changes_in(touched) == {"content/articles/a.md", "site.yaml"}
        assert sources.changes_in(touched) == set() and sources.changes() == set()
        (tmp_path / "content" / "briefs").mkdir()
        assert wakeups.wait(0.5) is SCAN_ALL
        wakeups.watch_all()
        (tmp_path / "content" / "briefs" / "b.md").write_text("b")
        assert wakeups.wait(0.5) == {"content/briefs/b.md"}
        assert wakeups.wait(0.05) == set()
    finally:
        wakeups.close()


def test_without_inotify_the_preview_polls(site_project, monkeypatch):
    monkeypatch.setattr(serve.notify, "INotify", None)
    with Preview(site_project, port=0, poll=0.02).running() as running:
        (site_project / "content/articles/first.md").write_text(ARTICLE.split("--\n", 1)[1].replace("Original", "Polled"),
                                                                 encoding="utf-8")
        wait_for(lambda: b"Polled body text." in request(running, "/articles/first/")[2], what="the polled edit")


def test_new_removed_and_same_size_changes_are_seen(tmp_path):
    (tmp_path / "layouts" / "static").mkdir(parents=True)
    sources = Sources(tmp_path)
    (tmp_path / "layouts" / "static" / "x.css").write_text("a{}")
    assert sources.changes() == {"layouts/static/x.css"}
    stat = (tmp_path / "layouts" / "static" / "x.css").stat()
    (tmp_path / "layouts" / "static" / "x.css").write_text("b{}")  # same size
    os.utime(tmp_path / "layouts" / "static" / "x.css", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert sources.changes() == {"layouts/static/x.css"}
    (tmp_path / "layouts" / "static" / "x.css").unlink()
    assert sources.changes() == {"layouts/static/x.css"}
    assert sources.changes() == set()


def test_status_knows_a_stylesheet_only_build():
    status = Status()
    assert status.record(True, [], set()) == "/" and (status.pages, status.css) == (1, 1)
    assert status.record(True, [], {"layouts/static/style.css"}) == "/style.css"
    assert (status.pages, status.css) == (1, 2)
    broken = [Problem("content/articles/a.md", 3, "bad")]
    assert status.record(False, broken, {"content/articles/a.md"}) == "/"
    assert not status.ok and status.as_json()["problems"][0]["text"] == "content/articles/a.md:3: error: bad"
    # The fix after a failure reloads pages even if the last save was CSS: a page changed meanwhile.
    assert status.record(True, [], {"layouts/static/style.css"}) == "/"
    assert (status.pages, status.css) == (4, 4) and status.ok


# --- the command ----------------------------------------------------------------------------


def test_serve_refuses_a_non_loopback_host(site_project, capsys):
    assert serve.serve(site_project, host="0.0.0.0", port=0) == 2
    assert "loopback only" in capsys.readouterr().err
    assert serve.serve(site_project, host="192.168.1.10", port=0) == 2


def test_serve_reports_a_port_in_use(site_project, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert serve.serve(site_project, port=taken.getsockname()[1]) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_keyboard_interrupt_exits_cleanly(site_project):
    port = free_port()
    code = f"import sys; from pathlib import Path; from digest.serve import serve; " \
           f"sys.exit(serve(Path({str(site_project)!r}), port={port}))"
    # Ctrl-C as at a terminal, even where this run was started with SIGINT ignored (a command run
    # in the background by a shell without job control is: its children would inherit that).
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_for(lambda: _answers(port), what="the server to start")
        wait_for(lambda: json.loads(_get(port, serve.STATUS_PATH))["serial"] >= 1, what="the first build")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "serving site/ at http://127.0.0.1:" in out and "stopped" in out


def _get(port, path) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    finally:
        connection.close()


def _answers(port) -> bool:
    try:
        _get(port, "/")
    except OSError:
        return False
    return True


def test_a_first_build_that_fails_still_serves_a_page_for_the_overlay(project):
    root = project("-- content/articles/first.md --\n---\ntitle: [broken\n---\nBody.\n")
    with Preview(root, port=0).running() as running:
        assert status(running)["ok"] is False
        code, headers, body = request(running, "/")
        assert code == 404 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert serve.SCRIPT_PATH.encode() in body and b'data-pages="0"' in body


def test_a_system_without_inotify_gives_no_wakeups(tmp_path, monkeypatch):
    class Missing:
        def __init__(self):
            raise AttributeError("undefined symbol: inotify_init1")  # what ctypes says on macOS

    monkeypatch.setattr(serve.notify, "INotify", Missing)
    assert Wakeups.open(tmp_path, WATCHED, SKIPPED_DIRS, is_editor_litter) is None


def test_a_folder_that_cannot_be_watched_is_left_to_the_full_scans(tmp_path):
    (tmp_path / "content" / "articles").mkdir(parents=True)
    wakeups = Wakeups.open(tmp_path, WATCHED, SKIPPED_DIRS, is_editor_litter)
    assert wakeups is not None
    try:
        add_watch = wakeups.inotify.add_watch

        def refusing(path, mask):
            if str(path).endswith("briefs"):
                raise FileNotFoundError(2, "gone since the walk")
            return add_watch(path, mask)

        wakeups.inotify.add_watch = refusing
        (tmp_path / "content" / "briefs").mkdir()
        assert wakeups.wait(0.5) is SCAN_ALL
        wakeups.watch_all()  # no error: briefs/ is simply not watched
        assert "content/briefs" not in wakeups.folders.values()
        (tmp_path / "content" / "articles" / "a.md").write_text("a")
        assert wakeups.wait(0.5) == {"content/articles/a.md"}
    finally:
        wakeups.close()
