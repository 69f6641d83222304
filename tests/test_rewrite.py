"""The optional rewrite step against a real OpenAI-compatible HTTP server on loopback."""

from __future__ import annotations

import http.server
import json
import logging
import threading

import pytest

from dramabatch.base.errors import DramaError
from dramabatch.script.compose import make_script
from dramabatch.script.rewrite import RewriteOptions, rewrite_text

KEY = "sk-test-SECRET-4f9a2c"


class ChatServer(http.server.ThreadingHTTPServer):
    """POST /v1/chat/completions: checks the bearer key, answers with the text upper-cased."""

    daemon_threads = True

    def __init__(self):
        self.seen: list[dict] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.seen.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                    "body": body})
                if self.path != "/v1/chat/completions":
                    return self.reply(404, {"error": {"message": "no such route"}})
                if self.headers.get("Authorization") != f"Bearer {KEY}":
                    # Like some real servers, echo what was sent: the client must scrub it.
                    return self.reply(401, {"error": {"message": "bad key "
                                                      + str(self.headers.get("Authorization"))}})
                user = body["messages"][-1]["content"]
                answer = "Narrador: " + user.upper() + " ¡Fin!"
                return self.reply(200, {"id": "x", "object": "chat.completion",
                                        "model": body["model"],
                                        "choices": [{"index": 0, "finish_reason": "stop",
                                                     "message": {"role": "assistant",
                                                                 "content": answer}}]})

            def reply(self, status, obj):
                data = json.dumps(obj, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@pytest.fixture
def chat():
    server = ChatServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


TRANSCRIPT = {"language": "es", "segments": [{"text": "la niña corrió, y el perro ladró."}]}


def test_rewrite_goes_through_the_endpoint_and_never_leaks_the_key(chat, monkeypatch, caplog,
                                                                   tmp_path):
    monkeypatch.setenv("DRAMA_TEST_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    rewrite = {"enabled": True, "base_url": chat.url, "model": "local-model",
               "api_key_env": "DRAMA_TEST_KEY"}
    script = make_script(TRANSCRIPT, None, {"sentence_pause_ms": 500, "comma_pause_ms": 200},
                         rewrite)
    assert [s["text"] for s in script["segments"]] == [
        "Narrador:", "LA NIÑA CORRIÓ,", "Y EL PERRO LADRÓ.", "¡Fin!"]
    assert script["origin"] == "rewrite:local-model" and script["language"] == "es"
    (req,) = chat.seen
    assert req["auth"] == f"Bearer {KEY}" and req["body"]["model"] == "local-model"
    assert req["body"]["messages"][0]["role"] == "system"
    assert "(es)" in req["body"]["messages"][0]["content"]
    assert req["body"]["messages"][1]["content"] == "la niña corrió, y el perro ladró."
    assert KEY not in json.dumps(script) and KEY not in caplog.text
    assert KEY not in json.dumps(rewrite)


def test_wrong_key_fails_clearly_without_echoing_it(chat, monkeypatch):
    monkeypatch.setenv("DRAMA_TEST_KEY", KEY + "-wrong")
    opts = RewriteOptions(enabled=True, base_url=chat.url, api_key_env="DRAMA_TEST_KEY")
    with pytest.raises(DramaError, match=r"HTTP 401 \(is \$DRAMA_TEST_KEY set") as err:
        rewrite_text("hola", "es", opts)
    assert KEY not in str(err.value) and "***" in str(err.value)


def test_unreachable_endpoint_and_wrong_route(chat):
    port = chat.server_address[1]
    with pytest.raises(DramaError, match="answered HTTP 404"):
        rewrite_text("hi", "en", RewriteOptions(base_url=f"http://127.0.0.1:{port}/v2"))
    chat.shutdown()
    chat.server_close()
    with pytest.raises(DramaError, match="could not reach"):
        rewrite_text("hi", "en", RewriteOptions(base_url=chat.url, timeout_s=5))


def test_override_is_never_rewritten(chat):
    rewrite = {"enabled": True, "base_url": chat.url}
    script = make_script(TRANSCRIPT, "Mi propio guion.", {}, rewrite)
    assert script["origin"] == "override" and not chat.seen
    assert [s["text"] for s in script["segments"]] == ["Mi propio guion."]


def test_a_long_key_cut_by_the_error_excerpt_still_never_leaks(chat, monkeypatch):
    """The error excerpt is cut at 300 characters; a key that straddles the cut must be scrubbed
    before cutting, or its first characters would reach the log."""
    long_key = "sk-" + "Q7" * 160  # 323 characters: the echo runs past the excerpt's end
    monkeypatch.setenv("DRAMA_TEST_KEY", long_key)
    opts = RewriteOptions(enabled=True, base_url=chat.url, api_key_env="DRAMA_TEST_KEY")
    with pytest.raises(DramaError, match=r"HTTP 401") as err:
        rewrite_text("hola", "es", opts)
    assert "sk-Q7Q7" not in str(err.value) and "***" in str(err.value)


@pytest.mark.network
def test_the_workflow_rewrites_once_and_a_new_voice_does_not_ask_again(chat, tmp_path,
                                                                       speech_video):
    """rewrite.enabled: a rewrite job calls the endpoint, narrate writes the script from its
    record; a narration setting then redoes the narration, never the rewrite."""
    from dramabatch_testkit.runner import prepare_batch, snakemake

    wd = prepare_batch(tmp_path, [("alpha", str(speech_video))])
    with open(wd / "config.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"rewrite:\n  enabled: true\n  base_url: {chat.url}\n  model: local-model\n"
                 "  api_key_env: DRAMA_TEST_KEY\n")
    env = {"DRAMA_TEST_KEY": KEY}
    proc = snakemake(wd, "--cores", "2", "results/alpha/narration.mp3", env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(chat.seen) == 1
    record = json.loads((wd / "results/alpha/rewrite.json").read_text(encoding="utf-8"))
    script = json.loads((wd / "results/alpha/script.json").read_text(encoding="utf-8"))
    assert record["model"] == "local-model" and script["origin"] == "rewrite:local-model"
    assert script["segments"][0]["text"] == "Narrador:" and KEY not in json.dumps(record)
    louder = wd / "louder.yaml"
    louder.write_text("tts:\n  loudness_lufs: -16\n")
    dry = snakemake(wd, "-n", "--cores", "2", "results/alpha/narration.mp3", "--configfile",
                    str(wd / "config.yaml"), str(louder), env=env)
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert "rule narrate:" in dry.stdout and "rule rewrite:" not in dry.stdout, dry.stdout[-2000:]
