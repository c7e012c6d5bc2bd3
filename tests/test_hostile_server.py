"""The preview server under attack: traversal in every encoding, NUL bytes, symlink loops, foreign
Host headers, cross-origin calls to the reload endpoints, odd methods and floods. Each answer is a
4xx (or a closed connection) that leaks nothing; the server stays up and keeps the terminal quiet.

Neighbours: tests/test_serve.py (the common traversal forms, Host and Origin checks, malformed
requests, a flood of 300 requests, rebuild behaviour).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from tornado import httpclient, websocket

from digest import serve
from digest.serve import Preview, Sources

SECRET = "TOP-SECRET-DO-NOT-SERVE"
ARTICLE = "-- content/articles/first.md --\n---\ntitle: First article\ndate: 2021-10-19\n---\nOriginal body text.\n"


@pytest.fixture
def preview(project):
    root = project(ARTICLE)
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    with Preview(root, port=0, poll=0.02).running() as running:
        yield running


def request(preview, path: str, headers: dict | None = None, method: str = "GET"):
    """One request sent exactly as given (no client-side normalising); (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in {"Host": f"127.0.0.1:{preview.port}", **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def assert_refused(preview, status: int, body: bytes, allowed=range(400, 500)) -> None:
    assert status in allowed, status
    for leak in (SECRET.encode(), b"Traceback", str(preview.root).encode(), b"root:x:0"):
        assert leak not in body


def alive(preview) -> None:
    started = time.monotonic()
    assert request(preview, "/articles/first/")[0] == 200
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("path", [
    "/%2e%2e%2f%2e%2e%2fsecret.txt", "/..%252f..%252fsecret.txt", "/%u002e%u002e/secret.txt",
    "/.%2e/secret.txt", "/%2e./secret.txt", "/..;/secret.txt", "/..%c0%af..%c0%afsecret.txt",
    "/%c0%ae%c0%ae%c0%afsecret.txt", "/..%e0%80%afsecret.txt", "/%e0%80%ae%e0%80%ae/secret.txt",
    "/%ef%bc%8e%ef%bc%8e/secret.txt", "/%ef%bc%8f..%ef%bc%8fsecret.txt", "/%25c0%25ae", "/..%5c..%5csecret.txt",
    "/%5c%2e%2e%5csecret.txt", "/articles/..%2f..%2fsecret.txt", "/articles/first/..%00/", "/%00/../secret.txt",
    "/articles/first/%00index.html", "/a%0d%0aSet-Cookie:x=1", "/" + "../" * 1000 + "secret.txt",
    "/" + "a" * 300, "/~/secret.txt", "/secret.txt", "/../site/../secret.txt", "/./../secret.txt",
    "/index.html/../../secret.txt", "/style.css/", "/articles/first/index.html/",
])
def test_traversal_in_every_encoding_is_refused(preview, path):
    status, _, body = request(preview, path)
    assert_refused(preview, status, body)


def test_absolute_form_and_asterisk_targets_are_refused(preview):
    for target in (f"http://127.0.0.1:{preview.port}/../secret.txt", f"http://127.0.0.1:{preview.port}/secret.txt",
                   "http://evil.example/", "*"):
        status, _, body = request(preview, target)
        assert_refused(preview, status, body)
    alive(preview)


def test_a_symlink_loop_or_an_endless_name_in_site_is_a_404_not_a_crash(preview):
    site = preview.root / "site"
    os.symlink("loop", site / "loop")
    os.symlink("ping", site / "pong")
    os.symlink("pong", site / "ping")
    for path in ("/loop", "/loop/", "/loop/x", "/ping", "/pong/index.html", "/" + "b" * 5000 + "/"):
        status, _, body = request(preview, path)
        assert_refused(preview, status, body, allowed=(404, 414, 431))
    alive(preview)


def test_a_url_longer_than_any_header_limit_is_refused_and_the_server_stays_up(preview):
    try:
        status, _, body = request(preview, "/" + "x" * 70_000)
        assert_refused(preview, status, body)
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        pass  # tornado hangs up on a request line over its limit: also a refusal
    alive(preview)


@pytest.mark.parametrize("host", [
    "127.0.0.1:{port}.", "localhost.:{port}", "127.0.0.1:0{port}", "127.1:{port}", "0x7f000001:{port}",
    "2130706433:{port}", "[::ffff:127.0.0.1]:{port}", "127.0.0.2:{port}", "127.0.0.1:{port}@evil.example",
    "evil.example#@127.0.0.1:{port}", "127.0.0.1:{port},evil.example", "xn--lcalhost-9za:{port}", "LOCALHOST:{port}x",
])
def test_foreign_or_disguised_host_headers_are_refused(preview, host):
    for path in ("/", "/articles/first/", serve.STATUS_PATH):
        status, _, body = request(preview, path, headers={"Host": host.format(port=preview.port)})
        assert_refused(preview, status, body, allowed=(400, 403))
        assert b"Original body" not in body


def test_two_host_headers_are_refused(preview):
    with socket.create_connection(("127.0.0.1", preview.port), timeout=5) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nHost: evil.example\r\n\r\n" % preview.port)
        answer = conn.recv(65536)
    assert answer.split(b" ", 2)[1] in (b"400", b"403"), answer[:60]


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}.evil.example", "https://127.0.0.1:{port}",
                                    "http://127.0.0.1:{port}/", "http://localhost", "http://127.0.0.1",
                                    "http://[::1]:{port}.evil.example", "file://", "chrome-extension://abc"])
def test_cross_origin_calls_to_the_preview_endpoints_are_refused(preview, origin):
    origin = origin.format(port=preview.port)
    for path in (serve.STATUS_PATH, serve.SCRIPT_PATH):
        status, headers, body = request(preview, path, headers={"Origin": origin})
        assert status == 403 and b"serial" not in body
        assert not any(name.lower().startswith("access-control") for name in headers)
    for fetch_site in ("same-site", "cross-site"):
        assert request(preview, serve.STATUS_PATH, headers={"Sec-Fetch-Site": fetch_site})[0] == 403


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}.evil.example", "https://127.0.0.1:{port}", "null",
                                    "http://localhost", "http://evil.example"])
def test_cross_origin_reload_sockets_are_refused(preview, origin):
    status, _, _ = request(preview, "/livereload", headers={
        "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": origin.format(port=preview.port)})
    assert status == 403
    assert not preview.open_pages


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND"])
def test_other_methods_are_refused_everywhere_without_cors(preview, method):
    for path in ("/", "/articles/first/", serve.STATUS_PATH, serve.SCRIPT_PATH, "/livereload.js"):
        status, headers, body = request(preview, path, method=method, headers={
            "Origin": "http://evil.example", "Access-Control-Request-Method": "GET", "Content-Length": "0"})
        assert status in (403, 405), (method, path, status)
        assert not any(name.lower().startswith("access-control") for name in headers)
        assert_refused(preview, status, body)


def test_every_answer_says_nosniff_and_no_store(preview):
    for path in ("/", "/style.css", "/no/such/", "/../x", serve.STATUS_PATH):
        _, headers, _ = request(preview, path)
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"


# --- floods ---------------------------------------------------------------------------------

def test_a_flood_of_hostile_requests_is_refused_quietly_and_leaves_it_responsive(preview, capfd):
    port = preview.port
    attacks = [("/../secret.txt", {}), ("/%2e%2e/secret.txt", {}), ("/", {"Host": "evil.example"}),
               (serve.STATUS_PATH, {"Origin": "http://evil.example"}), ("/%00", {}), ("/articles/first/", {}),
               ("/" + "z" * 4000, {})] * 60
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lambda attack: request(preview, attack[0], headers=attack[1])[0], attacks))
    assert len(codes) == 420 and set(codes) <= {200, 400, 403, 404}
    alive(preview)
    err = capfd.readouterr().err
    assert "secret" not in err and "GET" not in err  # refusals do not flood the editor's terminal


def test_hundreds_of_half_open_connections_do_not_block_a_real_page(preview):
    sockets = []
    try:
        for _ in range(200):
            conn = socket.create_connection(("127.0.0.1", preview.port), timeout=5)
            conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: " % preview.port)  # never finished
            sockets.append(conn)
        alive(preview)
    finally:
        for conn in sockets:
            conn.close()
    alive(preview)


def test_many_reload_sockets_and_garbage_frames_leave_it_responsive(preview):
    async def storm():
        url = f"ws://127.0.0.1:{preview.port}/livereload"
        origin = {"Origin": f"http://127.0.0.1:{preview.port}"}
        connections = [await websocket.websocket_connect(httpclient.HTTPRequest(url, headers=origin)) for _ in range(50)]
        for index, conn in enumerate(connections):
            await conn.write_message(json.dumps({"command": "hello"}) if index % 2 else "\x00" * 1000)
        answers = [await conn.read_message() for conn in connections]
        for conn in connections:
            conn.close()
        return answers

    with ThreadPoolExecutor(max_workers=1) as pool:
        answers = pool.submit(asyncio.run, storm()).result(timeout=60)
    assert sum(1 for a in answers if a and json.loads(a)["command"] == "hello") == 25
    assert sum(1 for a in answers if a is None) == 25  # garbage closes that socket only
    alive(preview)
    deadline = time.monotonic() + 5
    while preview.open_pages and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not preview.open_pages


# --- the watcher ----------------------------------------------------------------------------

def test_the_watcher_scans_symlink_loops_without_hanging_or_crashing(project):
    root = project(ARTICLE)
    content = root / "content"
    os.symlink(".", content / "here")
    os.symlink("..", content / "articles/up")
    os.symlink("self.md", content / "articles/self.md")
    os.symlink("b", content / "a")
    os.symlink("a", content / "b")
    os.symlink(root / "layouts", root / "layouts/again")
    done = threading.Event()
    result = {}

    def scan():
        result["seen"] = Sources(root).seen
        done.set()

    threading.Thread(target=scan, daemon=True).start()
    assert done.wait(5), "the scan hung"
    assert "content/articles/first.md" in result["seen"]
    # Broken links are watched as links (so fixing one rebuilds); folders behind links are not walked.
    assert {"content/articles/self.md", "content/a", "content/b"} <= set(result["seen"])
    assert not any("/here/" in path or "/up/" in path or "/again/" in path for path in result["seen"])


def test_removing_or_fixing_a_broken_link_is_a_change_the_watcher_sees(project):
    root = project(ARTICLE)
    link = root / "content/articles/self.md"
    os.symlink("self.md", link)
    sources = Sources(root)
    link.unlink()
    assert sources.changes() == {"content/articles/self.md"}
    os.symlink("first.md", link)
    assert sources.changes() == {"content/articles/self.md"}


def test_a_preview_over_symlink_loops_starts_reports_them_and_recovers(project):
    root = project(ARTICLE)
    os.symlink("self.md", root / "content/articles/self.md")
    os.symlink(".", root / "content/articles/here")
    with Preview(root, port=0, poll=0.02).running() as preview:
        status = json.loads(request(preview, serve.STATUS_PATH)[2])
        assert not status["ok"]
        assert [p["text"] for p in status["problems"]] == [
            "content/articles/self.md:1: error: symbolic link leads round in a loop; it is ignored"]
        (root / "content/articles/self.md").unlink()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status = json.loads(request(preview, serve.STATUS_PATH)[2])
            if status["ok"]:
                break
            time.sleep(0.05)
        assert status["ok"], status
        assert b"Original body text." in request(preview, "/articles/first/")[2]
