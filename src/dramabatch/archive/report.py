"""What a person looks at: a self-contained HTML page per drama (thumbnails: render.thumbnails).

The page embeds its images as data URIs, so it can be mailed, attached to Snakemake's own
``--report`` or opened from the zip without the results tree next to it. A small inline script
counts the thumbnails the browser actually decoded (``data-thumbs-loaded``), which the report test
reads back from a real headless Chromium.
"""

from __future__ import annotations

import base64
import csv
import html
import json
import os
from pathlib import Path

from ..base.fsutil import write_text_atomic


def _language_note(transcript: dict) -> str:
    """'asked es, detected es p=0.97': where the drama's language came from."""
    asked = transcript.get("requested_language") or "auto"
    detected = transcript.get("detected_language")
    if not detected:
        return f"asked {asked}"
    return f"asked {asked}, detected {detected} p={transcript.get('language_probability')}"


def _skipped_html(timeline: dict) -> str:
    """Which voices were tried before the one heard, and why each was passed over."""
    skipped = timeline.get("skipped_engines") or []
    if not skipped:
        return ""
    items = "".join(f"<li>{html.escape(s['engine'])}: {html.escape(s['reason'])}</li>"
                    for s in skipped)
    return f"<p>Voices tried first and skipped:</p><ul class=\"skipped\">{items}</ul>"

def _qc_html(qc: dict) -> str:
    """The checks of the finished videos: verdict, then one row per video and check, worst first
    (qc.json, rule qc)."""
    if not qc:
        return ""
    esc = html.escape
    rows = []
    for video, record in qc.get("videos", {}).items():
        for check in record.get("checks", {}).values():
            rows.append((("fail", "warn", "ok").index(check["level"]), video, check))
    cells = "".join(
        f'<tr class="qc-{esc(c["level"])}"><td>{esc(video)}</td><td>{esc(c["check"])}</td>'
        f'<td>{c["value"]:.3g}</td><td>{esc(str(c["warn"]))}</td><td>{esc(str(c["fail"]))}</td>'
        f'<td>{esc(c["level"])}</td></tr>'
        for _, video, c in sorted(rows, key=lambda r: r[:2]))
    loud = "; ".join(f"{esc(v)}: {r.get('integrated_lufs')} LUFS, peak {r.get('true_peak_db')} dBTP"
                     for v, r in qc.get("videos", {}).items())
    return (f'<h2>Checks</h2><p>Verdict <b class="qc-{esc(qc["verdict"])}">{esc(qc["verdict"])}'
            f'</b> ({qc.get("seconds", 0):.1f} s to check). {loud}.</p>'
            f'<table class="qc"><tr><th>video</th><th>check</th><th>value</th><th>warn</th>'
            f'<th>fail</th><th>level</th></tr>{cells}</table>')


def _heard_html(timeline: dict) -> str:
    """The narration checked by ear: its worst segment as Whisper heard it, what was re-voiced."""
    check = timeline.get("check")
    if not check:
        return ""
    worst, esc = check["worst"], html.escape
    again = [f"{s['index']} by {s['engine']} (was {100 * s['revoiced_from']['wer']:.0f} %)"
             for s in timeline["segments"] if "revoiced_from" in s]
    return (f"<p class=\"heard\">Narration checked by ear ({esc(str(check['model']))}): worst "
            f"segment {worst['index']} at <b>{100 * worst['wer']:.0f} %</b> word errors "
            f"({esc(worst['engine'])}): &ldquo;{esc(worst['text'])}&rdquo; heard as "
            f"&ldquo;{esc(worst['heard'])}&rdquo;"
            + (f"; re-voiced: {esc(', '.join(again))}" if again else "") + ".</p>")

def _data_uri(path: str | os.PathLike[str]) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(Path(path).read_bytes()).decode()


def _stage_rows(benchmarks: list[str]) -> list[tuple[str, float, str]]:
    rows = []
    for tsv in benchmarks:
        with open(tsv, encoding="utf-8") as fh:
            rec = next(csv.DictReader(fh, delimiter="\t"))
        rows.append((Path(tsv).stem, float(rec["s"]), rec.get("max_rss", "-")))
    return rows


def drama_page(*, drama_id: str, title: str, long_thumb: str, short_thumbs: list[str],
               transcript: str, timeline: str, srt: str, shorts_index: str,
               benchmarks: list[str], out: str | os.PathLike[str], qc: str = "") -> None:
    """Write the drama's self-contained HTML summary page (with qc.json's checks if given)."""
    checks = json.loads(Path(qc).read_text(encoding="utf-8")) if qc else {}
    tr = json.loads(Path(transcript).read_text(encoding="utf-8"))
    tl = json.loads(Path(timeline).read_text(encoding="utf-8"))
    shorts = json.loads(Path(shorts_index).read_text(encoding="utf-8"))["shorts"]
    excerpt = " ".join(s["text"] for s in tr["segments"])
    excerpt = excerpt[:600] + ("…" if len(excerpt) > 600 else "")
    esc = html.escape
    short_cards = "".join(
        f'<figure><img class="thumb" alt="short {s["number"]:02d}" src="{_data_uri(t)}">'
        f'<figcaption>short {s["number"]:02d}: {s["rendered_duration"]:.1f} s, '
        f'{esc(s["resolution"])}</figcaption></figure>'
        for s, t in zip(shorts, short_thumbs, strict=True)
    )
    stages = "".join(f"<tr><td>{esc(name)}</td><td>{sec:.1f}</td><td>{esc(str(rss))}</td></tr>"
                     for name, sec, rss in _stage_rows(benchmarks))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(drama_id)}: {esc(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
img.thumb {{ max-width: 100%; border-radius: 4px; display: block; }}
.shorts {{ display: flex; flex-wrap: wrap; gap: 1em; }}
.shorts figure {{ margin: 0; max-width: 45%; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .2em .6em; }}
tr.qc-fail, .qc-fail {{ background: #fdd; }} tr.qc-warn, .qc-warn {{ background: #ffd; }}
pre {{ background: #f6f6f6; padding: .8em; white-space: pre-wrap; max-height: 20em;
      overflow: auto; }}
</style></head>
<body data-thumbs-expected="{1 + len(shorts)}">
<h1>{esc(drama_id)}{': ' + esc(title) if title else ''}</h1>
<p>Language <b>{esc(str(tr.get('language')))}</b> ({esc(_language_note(tr))}; transcribed by
{esc(str(tr.get('backend')))} {esc(str(tr.get('model')))}); source {tr.get('duration', 0):.1f} s;
narration {tl['duration']:.1f} s by <b>{esc(str(tl.get('engine')))}</b>
{esc(str(tl.get('voice') or ''))}; {len(shorts)} short(s).</p>{_skipped_html(tl)}{_heard_html(tl)}
<h2>Long video</h2>
<figure><img class="thumb" alt="long video" src="{_data_uri(long_thumb)}"></figure>
<h2>Shorts</h2><div class="shorts">{short_cards or '<p>No short fits the configured bounds.</p>'}
</div>
{_qc_html(checks)}
<h2>Transcript (excerpt)</h2><p>{esc(excerpt)}</p>
<h2>Subtitles</h2><pre>{esc(Path(srt).read_text(encoding='utf-8'))}</pre>
<h2>Stage timings</h2>
<table><tr><th>job</th><th>wall s</th><th>max RSS MB</th></tr>{stages}</table>
<script>
window.addEventListener("load", () => {{
  const ok = [...document.querySelectorAll("img.thumb")]
    .filter((img) => img.complete && img.naturalWidth > 0).length;
  document.body.dataset.thumbsLoaded = String(ok);
}});
</script>
</body></html>
"""
    write_text_atomic(out, page)
