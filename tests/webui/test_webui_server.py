"""`pressroom serve` as clients meet it: a real server process on a free loopback port.

Slow clients, oversized and malformed requests, and two servers side by side
(issue 10).  Every bound on time here is a failure bound for a hung server,
never a measurement; the figures are in bench/slowclients.py.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import pytest
from served import PATIENCE, UPLOAD_LIMIT, Server, get

from tests.conftest import ADMIN_TOKEN
from webui.security import HEADERS as SECURITY_HEADERS
from webui.worker import MAX_HEADER_BYTES


@pytest.fixture(scope="module")
def index_copy(sample_index, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("served") / "index"
    shutil.copytree(sample_index, root)
    return root


@pytest.fixture(scope="module")
def server(index_copy, tmp_path_factory) -> Iterator[Server]:
    # One worker with two threads: the fewest threads slow clients could hold.
    running = Server(index_copy, tmp_path_factory.mktemp("home"), "--workers", "1",
                     "--threads", "2")
    yield running
    running.stop()


def raw_exchange(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``data`` as it is and read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) as s:
        s.sendall(data)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def assert_product_error(status: int, headers: dict[str, str], body: bytes, expected: int,
                         kind: str = "json") -> str:
    assert status == expected, body[:300]
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (name, headers)
    if kind == "json":
        assert headers["Content-Type"].startswith("application/json")
        error = json.loads(body)["error"]
        assert error["status"] == expected
        return error["message"]
    assert headers["Content-Type"].startswith("text/html")
    assert f"<title>{expected} ".encode() in body
    return body.decode()


SLOW_HEADERS = b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nX-Slow: "
SLOW_BODY = (b"POST /api/releases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: 60000\r\n\r\n[{\"id\": \"slow\", ")


def test_slow_clients_do_not_stall_other_searches(server):
    # 16 clients each stop partway through a request and stay connected; before, each
    # held a thread of the worker and this search waited until they gave up.
    with ExitStack() as stack:
        for prefix in [SLOW_HEADERS] * 8 + [SLOW_BODY] * 8:
            slow = stack.enter_context(socket.create_connection(("127.0.0.1", server.port)))
            slow.sendall(prefix)
        status, _, body = get(server.port, "/api/search?q=" + quote("министр"))
        assert status == 200, body[:300]
        assert json.loads(body)["total"] > 0
        status, _, _ = get(server.port, "/search?q=minister")
        assert status == 200


def test_a_long_pasted_query_reaches_the_application(server):
    # 1,300 Cyrillic letters: each is six bytes percent-encoded.
    pasted = " ".join(["министр"] * 163)
    status, headers, body = get(server.port, "/api/search?q=" + quote(pasted))
    assert status == 200, body[:300]
    assert json.loads(body)["total"] > 0
    # A 16 KB request line is the application's to judge, not the server's.
    path = "/api/search?q=" + quote(" ".join(["министр"] * 360))
    assert len(path) > 16_000
    status, headers, body = get(server.port, path)
    assert status in (200, 400), body[:300]
    assert headers["Content-Type"].startswith("application/json")


def oversized(path: str) -> bytes:
    """A request whose line and headers fill exactly the limit, unfinished: the server
    refuses it having read every byte (nothing left unread to reset the connection)."""
    start = f"GET {path} HTTP/1.1\r\nHost: x\r\nX-Pad: ".encode()
    return start + b"a" * (MAX_HEADER_BYTES - len(start))


def test_oversized_headers_are_431_in_the_error_shape(server):
    status, headers, body = raw_exchange(server.port, oversized("/api/search?q=x"))
    assert "KiB" in assert_product_error(status, headers, body, 431)


def test_oversized_headers_on_a_page_get_the_error_page(server):
    status, headers, body = raw_exchange(server.port, oversized("/search?q=x"))
    assert_product_error(status, headers, body, 431, kind="html")


def test_malformed_request_is_400_in_the_error_shape(server):
    request = b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"
    status, headers, body = raw_exchange(server.port, request)
    assert "malformed" in assert_product_error(status, headers, body, 400)


def test_announced_body_over_the_limit_is_413_before_it_is_sent(server):
    request = (f"POST /api/releases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN_TOKEN}"
               f"\r\nContent-Type: application/json\r\nContent-Length: {10 * UPLOAD_LIMIT}"
               "\r\n\r\n").encode()
    status, headers, body = raw_exchange(server.port, request)
    assert_product_error(status, headers, body, 413)


def test_chunked_body_over_the_limit_is_413(server):
    head = (f"POST /api/releases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN_TOKEN}"
            "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    # One chunk announced larger than the limit; exactly one byte past the limit is
    # sent, so the server has read everything when it refuses.
    size = f"{4 * UPLOAD_LIMIT:x}\r\n".encode()
    body = size + b"[" * (UPLOAD_LIMIT + 1 - len(size))
    status, headers, answer = raw_exchange(server.port, head + body)
    assert_product_error(status, headers, answer, 413)
    assert get(server.port, "/healthz")[0] == 200


def test_two_servers_side_by_side_do_not_share_a_control_socket(index_copy, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    first = Server(index_copy, home, "--workers", "1", "--threads", "1")
    try:
        second = Server(index_copy, home, "--workers", "1", "--threads", "1")
        try:
            assert first.port != second.port
            for running in (first, second):
                assert get(running.port, "/healthz")[0] == 200
            # Gunicorn's control socket is one path per user: the second took the first's.
            assert not list(home.rglob("*.ctl"))
        finally:
            assert second.stop() == 0
        assert get(first.port, "/healthz")[0] == 200
    finally:
        assert first.stop() == 0


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "news.example.org"}


def feed_links(port: int) -> list[str]:
    status, _, body = get(port, "/search.atom?q=minister", headers=FORWARDED)
    assert status == 200, body[:300]
    return re.findall(r'href="([^"]+)"', body.decode())


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(server):
    links = feed_links(server.port)
    assert links and all(link.startswith(f"http://127.0.0.1:{server.port}/") for link in links)


def test_a_trusted_proxy_names_the_scheme_and_host_of_the_links(index_copy, tmp_path):
    proxied = Server(index_copy, tmp_path, "--workers", "1", "--threads", "1",
                     TRUSTED_PROXY="127.0.0.1")
    try:
        links = feed_links(proxied.port)
        assert links and all(link.startswith("https://news.example.org/") for link in links)
    finally:
        proxied.stop()


def test_each_request_is_in_the_access_log(server):
    from bench.webserver import ACCESS_STATUS

    def logged(line: str) -> bool:
        found = ACCESS_STATUS.match(line)
        return bool(found) and found[1] == "/livez?probe=access-log" and found[2] == "200"

    assert get(server.port, "/livez?probe=access-log")[0] == 200
    assert server.wait_for_line(logged)
