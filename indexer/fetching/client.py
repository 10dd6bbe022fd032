"""A polite HTTP client for fetching a site's releases.

* robots.txt is read once per host and run (``urllib.robotparser``); a
  disallowed URL is never requested.  A robots.txt answered 4xx allows
  everything (the usual reading); one that cannot be had (5xx, no answer)
  forbids the host for this run, the cautious reading.
* Every request says who we are: ``Pressroom/<version> (+<contact>)``.
* At most one request per ``interval`` seconds per host.
* Conditional GET: ``If-None-Match`` / ``If-Modified-Since`` from what the
  ledger remembered; a 304 is an answer, not an error.
* 429 and 5xx (and a request that got no answer) are retried up to
  ``retries`` times, after the delay the server's ``Retry-After`` asks for, or
  else 1, 2, 4… seconds; a wait beyond ``max_wait`` fails the page instead.
* A timeout on connecting and reading; a page over ``max_bytes`` fails.

The clock and the sleeper are injectable: tests record the waits instead of
waiting them.
"""

from __future__ import annotations

import email.utils
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: First back-off delay without Retry-After (doubled per retry).
BACKOFF = 1.0


class FetchError(Exception):
    """A page that could not be had; the message is the reason shown to the user."""


class Disallowed(FetchError):
    """robots.txt forbids the URL (it was not requested)."""


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds a Retry-After header asks for (seconds or an HTTP date), None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class PoliteClient:
    def __init__(self, user_agent: str, *, interval: float = 1.0, timeout: float = 20.0,
                 retries: int = 3, max_wait: float = 300.0, max_bytes: int = 5 * 1024 * 1024,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.user_agent = user_agent
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.max_wait = max_wait
        self.max_bytes = max_bytes
        self.clock = clock
        self.sleep = sleep
        self.wall_clock = wall_clock
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str] = {}
        self.requests = 0

    # -- robots.txt --------------------------------------------------------

    def check_robots(self, url: str) -> None:
        """Disallowed unless the host's robots.txt lets us fetch ``url``."""
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        if host not in self._robots:
            self._robots[host] = self._read_robots(host)
        robots = self._robots[host]
        if isinstance(robots, str):
            raise Disallowed(f"robots.txt could not be read ({robots}); not fetched")
        if not robots.can_fetch(self.user_agent, url):
            raise Disallowed("disallowed by robots.txt")

    def _read_robots(self, host: str) -> urllib.robotparser.RobotFileParser | str:
        """The parsed robots.txt, or why it could not be had."""
        parser = urllib.robotparser.RobotFileParser(f"{host}/robots.txt")
        try:
            response = self._get(f"{host}/robots.txt", {})
        except FetchError as exc:
            return str(exc)
        if response.status >= 500:
            return f"HTTP {response.status}"
        if response.status >= 400:
            parser.allow_all = True
        else:
            parser.parse(response.body.decode("utf-8", "replace").splitlines())
        return parser

    # -- requests ----------------------------------------------------------

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None
            ) -> Response:
        """GET ``url`` (200 or 304), or FetchError with the reason."""
        self.check_robots(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = self._get(url, headers)
        if response.status not in (200, 304):
            raise FetchError(f"HTTP {response.status}")
        return response

    def _get(self, url: str, headers: dict[str, str]) -> Response:
        """One URL with retries: the final response, whatever its status."""
        attempt = 0
        while True:
            try:
                response = self._once(url, headers)
            except FetchError as exc:
                if attempt >= self.retries:
                    raise
                delay, reason = BACKOFF * 2 ** attempt, str(exc)
            else:
                if response.status not in RETRY_STATUSES or attempt >= self.retries:
                    return response
                asked = retry_after(response.headers.get("retry-after"), self.wall_clock())
                delay = BACKOFF * 2 ** attempt if asked is None else asked
                reason = f"HTTP {response.status}"
            if delay > self.max_wait:
                raise FetchError(f"{reason}; the server asks to wait {delay:.0f} s "
                                 f"(more than {self.max_wait:.0f} s)")
            self.sleep(delay)
            attempt += 1

    def _throttle(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            wait = last + self.interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last[host] = self.clock()

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        self._throttle(urlsplit(url).netloc)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       "Accept-Encoding": "identity",
                                                       **headers})
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return Response(url, answer.status, _headers(answer.headers),
                                self._read(answer))
        except urllib.error.HTTPError as exc:
            with exc:
                # Error bodies are not read: only the status and headers matter.
                return Response(url, exc.code, _headers(exc.headers))
        except TimeoutError:
            raise FetchError(f"timed out after {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise FetchError(f"timed out after {self.timeout:g} s") from None
            raise FetchError(f"cannot connect: {reason}") from None
        except (OSError, ValueError) as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}") from None

    def _read(self, answer) -> bytes:
        length = answer.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(f"{int(length)} bytes: over the limit of {self.max_bytes}")
        body = answer.read(self.max_bytes + 1)
        if len(body) > self.max_bytes:
            raise FetchError(f"over the limit of {self.max_bytes} bytes")
        return body


def _headers(message) -> dict[str, str]:
    return {k.lower(): v for k, v in (message.items() if message is not None else [])}
