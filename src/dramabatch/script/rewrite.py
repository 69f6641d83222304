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


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def rewrite_text(text: str, language: str, opts: RewriteOptions) -> str:
    """Return the endpoint's rewrite of ``text``; raise DramaError with an actionable cause."""
    key = os.environ.get(opts.api_key_env, "") if opts.api_key_env else ""
    url = opts.base_url.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    else:
        log.info("rewrite: environment variable %s is not set; calling without a key",
                 opts.api_key_env)
    body = {
        "model": opts.model,
        "temperature": opts.temperature,
        "max_tokens": opts.max_tokens,
        "messages": [
            {"role": "system",
             "content": opts.system_prompt.replace("{language}", language or "unknown")},
            {"role": "user", "content": text},
        ],
    }
    log.info("rewrite: %d characters to %s (model %s)", len(text), url, opts.model)
    try:
        resp = requests.post(url, json=body, headers=headers, timeout=opts.timeout_s)
    except requests.RequestException as exc:
        raise DramaError(f"script rewrite: could not reach {url}: "
                         f"{_scrub(str(exc), key)}") from None
    if resp.status_code >= 400:
        detail = _scrub(resp.text, key)[:300].strip()
        hint = (f" (is ${opts.api_key_env} set to a valid key?)"
                if resp.status_code in (401, 403) else "")
        raise DramaError(f"script rewrite: {url} answered HTTP {resp.status_code}{hint}: {detail}")
    try:
        content = resp.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise DramaError(f"script rewrite: {url} did not answer in the chat completions format: "
                         f"{_scrub(resp.text, key)[:200]}") from None
    content = (content or "").strip()
    if not any(ch.isalnum() for ch in content):
        raise DramaError(f"script rewrite: {url} returned an empty text")
    log.info("rewrite: got %d characters back", len(content))
    return content
