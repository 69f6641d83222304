"""Stage 6, render_long / render_short: the finished videos, in one ffmpeg graph (moviepy optional).

Reads: the footage plan, the narration, its word times, the style. Writes: ``long.mp4``,
``shorts/short_NN.mp4``, ``long.srt``, thumbnail strips. Holds captions (cues, subtitles, fonts).
Imports: base and footage (the plan's types and the ffmpeg graph pieces that draw it).
"""
