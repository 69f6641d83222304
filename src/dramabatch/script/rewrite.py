"""Optional script rewrite through an OpenAI-compatible chat endpoint (off by default).

``POST {base_url}/chat/completions`` with the transcript text; the answer becomes the narration
text. Works with OpenAI and with local servers speaking the same protocol (llama.cpp, vLLM,
Ollama).

The API key is read from the environment variable named by ``api_key_env`` at call time. It never
enters the config, Snakemake params, logs, outputs or error messages: anything echoed back by the
server is scrubbed before it is shown.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import requests

from ..base.errors import DramaError
from ..base.secrets import read_key, scrub

log = logging.getLogger(__name__)

DEFAULT_PROMPT = (
    "You rewrite video transcripts into a narration script for a storytelling channel. "
    "Keep the story, names and facts; write clear spoken sentences; no headings, lists, stage "
    "directions or emoji. Answer with the narration text only, in the language of the transcript "
    "({language})."
)


@dataclass(frozen=True)
class RewriteOptions:
    enabled: bool = False
    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    api_key_env: str = "OPENAI_API_KEY"
    system_prompt: str = DEFAULT_PROMPT
    temperature: float = 0.7
    timeout_s: float = 120
    max_tokens: int = 4096
    # recap mode (script/recap.py); the transcript mode ignores them
    mode: str = "transcript"
    target_share: float = 0.3
    target_minutes: float = 0.0
    language: str = ""
    chars_per_second: float = 12.5


def rewrite_text(text: str, language: str, opts: RewriteOptions) -> str:
    """Return the endpoint's rewrite of ``text``; raise DramaError with an actionable cause."""
    content = chat([{"role": "system",
                     "content": opts.system_prompt.replace("{language}", language or "unknown")},
                    {"role": "user", "content": text}], opts)
    if not any(ch.isalnum() for ch in content):
        raise DramaError(f"script rewrite: {opts.base_url.rstrip('/')}/chat/completions "
                         f"returned an empty text")
    return content


def chat(messages: list[dict], opts: RewriteOptions, json_answer: bool = False) -> str:
    """One chat completion: the answer's text (stripped). ``json_answer`` asks for a JSON object
    (``response_format``, which OpenAI, Ollama and llama.cpp's server accept); a server that
    refuses the field (HTTP 400/422 naming it) is asked once more without it, and the caller
    parses the text either way. Network errors, timeouts and HTTP errors raise DramaError."""
    key = read_key(opts.api_key_env)  # stripped: a Windows .env's "\r" (base.secrets)
    url = opts.base_url.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    else:
        log.info("rewrite: environment variable %s is not set; calling without a key",
                 opts.api_key_env)
    body = {"model": opts.model, "temperature": opts.temperature, "max_tokens": opts.max_tokens,
            "messages": messages}
    if json_answer:
        body["response_format"] = {"type": "json_object"}
    size = sum(len(m["content"]) for m in messages)
    log.info("rewrite: %d characters to %s (model %s)", size, url, opts.model)
    resp = _post(url, body, headers, opts, key)
    if json_answer and resp.status_code in (400, 422) and "response_format" in resp.text:
        log.info("rewrite: the server refuses response_format; asking again without it")
        body.pop("response_format")
        resp = _post(url, body, headers, opts, key)
    if resp.status_code >= 400:
        detail = scrub(resp.text, key)[:300].strip()
        hint = (f" (is ${opts.api_key_env} set to a valid key?)"
                if resp.status_code in (401, 403) else "")
        raise DramaError(f"script rewrite: {url} answered HTTP {resp.status_code}{hint}: {detail}")
    try:
        content = resp.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise DramaError(f"script rewrite: {url} did not answer in the chat completions format: "
                         f"{scrub(resp.text, key)[:200]}") from None
    content = (content or "").strip()
    log.info("rewrite: got %d characters back", len(content))
    return content


def _post(url: str, body: dict, headers: dict, opts: RewriteOptions,
          key: str) -> requests.Response:
    try:
        return requests.post(url, json=body, headers=headers, timeout=opts.timeout_s)
    except requests.Timeout:
        raise DramaError(f"script rewrite: {url} did not answer within rewrite.timeout_s "
                         f"({opts.timeout_s:g} s)") from None
    except requests.RequestException as exc:
        raw = os.environ.get(opts.api_key_env, "") if opts.api_key_env else ""
        raise DramaError(f"script rewrite: could not reach {url}: {exc.__class__.__name__}: "
                         f"{scrub(str(exc), key, raw)}") from None
