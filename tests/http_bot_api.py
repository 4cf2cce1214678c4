"""The local Bot API over real HTTP, so the bot can be run as a process against it.

`HttpBotApi` serves `POST /bot<token>/<method>` on 127.0.0.1 (ephemeral port) from a background
thread. Every call is answered by a `LocalBotApi` (same results, same call recording, same fault
injection as in the in-process tests); only `getUpdates` is served here, from a queue the test
fills with `push_update`, with Telegram's `offset` confirmation and long polling.

Tests wait on a `threading.Condition` that is notified on every call and every pushed update:
`wait_for_call` returns as soon as a matching call is recorded, never by sleeping.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from telegram.error import TelegramError

from bot.transport.local_api import ANY_METHOD, ApiCall, Fault, LocalBotApi

__all__ = ["ANY_METHOD", "ApiCall", "BotApiAborted", "Fault", "HttpBotApi"]

# Long polls are cut to this many seconds so that shutting the bot (or the emulator) down never
# waits on a poll the bot asked to last 10 s or more.
POLL_CAP_SECONDS = 1.0

_PATH_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?$")
_FILE_RE = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>[^?]+)$")
# Form values arrive JSON-encoded except strings (PTB's RequestParameter.json_value); Telegram
# parses them per declared type. These are the integer parameters the bot may send.
_INT_PARAMS = frozenset({
    "chat_id", "from_chat_id", "message_id", "message_thread_id", "reply_to_message_id",
    "user_id", "offset", "limit", "timeout", "cache_time", "until_date", "max_connections",
})
_INT_RE = re.compile(r"^-?\d+$")


class BotApiAborted(RuntimeError):
    """Raised in waiters once `abort()` was called, e.g. because the bot process died."""


class HttpBotApi:
    """A Bot API emulator on 127.0.0.1; use as a context manager or call start()/stop()."""

    def __init__(self, api: LocalBotApi | None = None, *, token: str | None = None,
                 poll_cap: float = POLL_CAP_SECONDS) -> None:
        self.api = api or LocalBotApi()
        self.token = token
        self.poll_cap = poll_cap
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._results: dict[int, Any] = {}  # id(call) -> the result it was answered with
        self._last_update_id = 0
        self._closing = False
        self._aborted: str | None = None
        self._server: ThreadingHTTPServer | None = None
        self._files: dict[str, bytes] = {}  # file_path (getFile's) -> the bytes
        self._thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------
    def start(self) -> HttpBotApi:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="http-bot-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> HttpBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """For BOT_API_BASE_URL: PTB appends the token, then `/<method>`."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        """For BOT_API_FILE_URL: downloads of the files given to `serve_file` (others 404)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # test side ---------------------------------------------------------------
    @property
    def calls(self) -> list[ApiCall]:
        """A snapshot of every call so far, in order."""
        with self._cond:
            return list(self.api.calls)

    def mark(self) -> int:
        """The number of calls so far: pass as `since` to wait only for later calls."""
        with self._cond:
            return len(self.api.calls)

    def result_of(self, call: ApiCall) -> Any:
        """What the bot got back for `call` (e.g. the sent message); KeyError if it failed."""
        with self._cond:
            return self._results[id(call)]

    def serve_file(self, file_id: str, content: bytes) -> None:
        """A file a user sent: getFile answers for `file_id`, and downloading the path it
        gives (GET /file/bot<token>/files/<file_id>) gets these bytes."""
        with self._cond:
            self.api.serve_file(file_id, content)
            self._files[f"files/{file_id}"] = content

    def download(self, token: str, path: str) -> bytes | None:
        if self.token is not None and token != self.token:
            return None
        with self._cond:
            return self._files.get(path)

    def fail(self, fault: Fault) -> None:
        """Answer the next matching call(s) with an error (see LocalBotApi.fail)."""
        with self._cond:
            self.api.fail(fault)

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; `update_id` is assigned when missing. Returns it."""
        with self._cond:
            if "update_id" not in update:
                update = {"update_id": self._last_update_id + 1, **update}
            update_id = int(update["update_id"])
            self._last_update_id = max(self._last_update_id, update_id)
            self._updates.append(update)
            self._updates.sort(key=lambda u: int(u["update_id"]))
            self._cond.notify_all()
            return update_id

    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (by a getUpdates with a higher offset)."""
        with self._cond:
            return len(self._updates)

    def wait_for_call(self, method: str, predicate: Callable[[ApiCall], bool] | None = None,
                      timeout: float = 15.0, *, since: int = 0) -> ApiCall:
        """The first call of `method` (from index `since` on) matching `predicate`.

        Blocks on the condition until one is recorded; raises TimeoutError after `timeout`
        seconds, or BotApiAborted as soon as `abort()` is called.
        """
        return self.wait_for_calls(method, predicate, 1, timeout, since=since)[0]

    def wait_for_calls(self, method: str, predicate: Callable[[ApiCall], bool] | None,
                       count: int, timeout: float = 15.0, *, since: int = 0) -> list[ApiCall]:
        """The first `count` such calls, as wait_for_call waits for one."""
        found: list[ApiCall] = []

        def ready() -> bool:
            if self._aborted is not None:
                return True
            found.clear()
            for call in self.api.calls[since:]:
                if call.method == method and (predicate is None or predicate(call)):
                    found.append(call)
                    if len(found) == count:
                        return True
            return False

        with self._cond:
            ok = self._cond.wait_for(ready, timeout=timeout)
            if len(found) == count:
                return list(found)
            seen = [c.method for c in self.api.calls[since:]]
            if ok and self._aborted is not None:
                raise BotApiAborted(f"{self._aborted}; waiting for {method}; calls: {seen}")
            raise TimeoutError(f"no {count} matching {method} call(s) within {timeout} s "
                               f"({len(found)} so far); calls: {seen}")

    def abort(self, reason: str) -> None:
        """Wake every waiter with BotApiAborted(reason)."""
        with self._cond:
            self._aborted = reason
            self._cond.notify_all()

    def resume(self) -> None:
        """A new bot process serves this emulator (after a kill): waiters wait again."""
        with self._cond:
            self._aborted = None

    # bot side ----------------------------------------------------------------
    def handle(self, token: str, method: str, params: dict[str, Any],
               files: dict[str, bytes] | None = None) -> tuple[int, bytes] | None:
        """Status and body for one call; None means: drop the connection (network fault).
        `files` are the uploaded files' bytes by field name (ApiCall.files)."""
        if self.token is not None and token != self.token:
            return 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
        with self._cond:
            try:
                status, body = self.api.handle(method, params, files)
            except TelegramError:  # injected network fault
                return None
            finally:
                self._cond.notify_all()
            call = self.api.calls[-1]
        if method == "getUpdates" and status == 200:
            body = json.dumps({"ok": True, "result": self._take_updates(params)}).encode()
        if status == 200:
            with self._cond:
                self._results[id(call)] = json.loads(body)["result"]
        return status, body

    def _take_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = min(float(params.get("timeout") or 0), self.poll_cap)
        allowed = params.get("allowed_updates") or None
        with self._cond:
            # Asking with an offset confirms every update before it: Telegram forgets them.
            self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
            if allowed:
                self._updates = [u for u in self._updates if _kind(u) in allowed]
            self._cond.wait_for(lambda: bool(self._updates) or self._closing, timeout=timeout)
            return list(self._updates[:limit])


def _kind(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _decode_value(name: str, raw: str) -> Any:
    if raw[:1] in ("{", "[") or raw in ("true", "false"):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    if name in _INT_PARAMS and _INT_RE.match(raw):
        return int(raw)
    return raw


def _decode_params(content_type: str,
                   body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Telegram accepts JSON, url-encoded forms and multipart forms alike. Returns the
    parameters and the uploaded files' bytes by field name (a file field's parameter is
    {"filename", "size", "mime_type"})."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}, {}
    if mime == "application/json":
        loaded = json.loads(body)
        if not isinstance(loaded, dict):
            raise ValueError("JSON body must be an object")
        return loaded, {}
    if mime == "application/x-www-form-urlencoded":
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        return {name: _decode_value(name, value) for name, value in pairs}, {}
    if mime == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            assert isinstance(part, Message)
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            if part.get_filename() is not None:
                params[name] = {"filename": part.get_filename(), "size": len(payload),
                                "mime_type": part.get_content_type()}
                files[name] = payload
            else:
                params[name] = _decode_value(name, payload.decode("utf-8"))
        return params, files
    raise ValueError(f"unsupported Content-Type {content_type!r}")


def _handler_for(emulator: HttpBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like api.telegram.org

        def do_POST(self) -> None:
            self._serve()

        def do_GET(self) -> None:
            self._serve()

        def _serve(self) -> None:
            path = self.path.split("?", 1)[0]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            download = _FILE_RE.match(path) if self.command == "GET" else None
            if download is not None:
                content = emulator.download(unquote(download["token"]),
                                            unquote(download["path"]))
                if content is None:
                    self._reply(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
                else:
                    self._reply(200, content, "application/octet-stream")
                return
            match = _PATH_RE.match(path)
            if match is None:
                self._reply(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
                return
            try:
                params, files = _decode_params(self.headers.get("Content-Type", ""), body)
            except ValueError as exc:
                description = f"Bad Request: {exc}"
                self._reply(400, json.dumps({"ok": False, "error_code": 400,
                                             "description": description}).encode())
                return
            answer = emulator.handle(match["token"], match["method"], params, files)
            if answer is None:
                self.close_connection = True  # the client sees the connection reset
                return
            self._reply(*answer)

        def _reply(self, status: int, body: bytes,
                   content_type: str = "application/json") -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                # The bot gave up on the request (e.g. a long poll cancelled at shutdown).
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the recorded calls are the log."""

    return Handler
