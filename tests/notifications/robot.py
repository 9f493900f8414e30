"""A local HTTP server standing in for a WeCom or DingTalk group robot (127.0.0.1, a free port)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OK = (200, {"errcode": 0, "errmsg": "ok"})


class RobotServer:
    """Records every POST (``received``: the decoded JSON bodies) and answers from ``answers``, then ``OK``.

    ``answers``: a list of ``(status, json_body)`` given to the first requests, in order; set
    ``always`` to answer every request the same way (e.g. ``(500, {})`` for a robot that is down).
    """

    def __init__(self, answers=(), always=None):
        self.answers = list(answers)
        self.always = always
        self.received: list[dict] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                with robot._lock:
                    robot.received.append(body)
                    robot.paths.append(self.path)
                    status, answer = robot.always or (robot.answers.pop(0) if robot.answers else OK)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/cgi-bin/webhook/send?key=test-robot"

    def contents(self) -> list[str]:
        with self._lock:
            return [body["text"]["content"] for body in self.received]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
