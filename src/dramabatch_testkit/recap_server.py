"""A fake OpenAI-compatible chat endpoint on loopback for the recap mode: real HTTP, scripted
answers (good, malformed, out-of-range, over-long, wrong-language) and one that never answers in
time. What it is asked is kept, so tests can read the prompt and the repair round."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable

KEY = "sk-recap-SECRET-7d1e"
#: (request body, how many requests this conversation's drama made before) -> answer text, or
#: a float: seconds to sleep before answering "{}" (a server that times out).
Script = Callable[[dict, int], "str | float"]


def beats(*items: dict) -> str:
    return json.dumps({"beats": list(items)}, ensure_ascii=False)


class RecapServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: Script, refuse_response_format: bool = False):
        self.seen: list[dict] = []
        self.script = script
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.seen.append({"auth": self.headers.get("Authorization"), "body": body})
                if self.headers.get("Authorization") != f"Bearer {KEY}":
                    return self.reply(401, {"error": {"message": "bad key"}})
                if refuse_response_format and "response_format" in body:
                    return self.reply(400, {"error": {"message": "unknown field "
                                                      "response_format"}})
                user = body["messages"][1]["content"]
                before = sum(s["body"]["messages"][1]["content"] == user
                             for s in server.seen[:-1])
                answer = server.script(body, before)
                if isinstance(answer, float):
                    time.sleep(answer)
                    answer = "{}"
                return self.reply(200, {"id": "x", "object": "chat.completion",
                                        "model": body["model"],
                                        "choices": [{"index": 0, "finish_reason": "stop",
                                                     "message": {"role": "assistant",
                                                                 "content": answer}}]})

            def reply(self, status, obj):
                data = json.dumps(obj, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up waiting (the timeout case)
                    pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def start(self) -> RecapServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def recap_record(transcript: dict, answer: Script, **settings) -> dict:
    """A recap of ``transcript`` asked of a RecapServer that answers ``answer``: the real client
    (script.compose.rewrite_transcript) over loopback, the key set only for the call."""
    import os

    from dramabatch.script.compose import rewrite_transcript

    server = RecapServer(answer).start()
    os.environ["RECAP_KEY"] = KEY
    try:
        return rewrite_transcript(transcript, {
            "enabled": True, "mode": "recap", "base_url": server.url, "model": "fake",
            "api_key_env": "RECAP_KEY", "target_share": 0.8, **settings})
    finally:
        server.stop()
        os.environ.pop("RECAP_KEY", None)
