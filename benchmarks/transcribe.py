"""faster-whisper vs openai-whisper: same audio, same tiny.en architecture, same decode work.

No openai-whisper tiny.en weights are available offline, so the openai side is a randomly
initialised model with tiny.en's exact dimensions (39 M parameters): the compute is real and the
same as with trained weights, the text is not. Random weights never stop decoding on their own,
so both sides run a fixed amount of work: one 30 s encoder pass plus N greedy decode steps with
the end-of-text token suppressed. faster-whisper uses the bundled tiny.en (CTranslate2), int8
(the CPU default) and float32.

Run: .venv/bin/python benchmarks/transcribe.py [--steps 100] [--repeat 3] [--threads 2]
Needs the openai-whisper extra: pip install -e '.[openai-whisper]'.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TINY_EN = dict(n_mels=80, n_audio_ctx=1500, n_audio_state=384, n_audio_head=6, n_audio_layer=4,
               n_vocab=51864, n_text_ctx=448, n_text_state=384, n_text_head=6, n_text_layer=4)


def speech_16k() -> np.ndarray:
    from dramabatch.base.audio import resample
    from dramabatch.voice.tts.piper_engine import PiperEngine

    text = ("The old lighthouse keeper climbed the stairs every night. He cleaned the glass, "
            "and he watched the boats come home.")
    samples, rate = PiperEngine().synthesize(text)
    return resample(samples, rate, 16000)


def best(fn, repeat: int) -> float:
    print(f"  {fn()} tokens decoded", file=sys.stderr)  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def faster_run(audio: np.ndarray, steps: int, compute_type: str, threads: int):
    import ctranslate2
    from faster_whisper import WhisperModel
    from faster_whisper.audio import pad_or_trim

    from dramabatch.speech.transcribe import resolve_model

    model = WhisperModel(resolve_model("bundled"), device="cpu", compute_type=compute_type,
                         cpu_threads=threads)
    tok = model.hf_tokenizer
    sot = [tok.token_to_id(t) for t in ("<|startoftranscript|>", "<|notimestamps|>")]
    eot = tok.token_to_id("<|endoftext|>")
    features = pad_or_trim(model.feature_extractor(audio))[None]

    # CTranslate2 4.x produced max_length/2 new tokens here with EOT suppressed: ask for 2x
    # and check the count, so both backends do the same number of decode steps.
    def run():
        enc = model.model.encode(ctranslate2.StorageView.from_array(features), to_cpu=False)
        out = model.model.generate(enc, [sot], beam_size=1, max_length=2 * (steps + len(sot)),
                                   suppress_tokens=[eot], suppress_blank=False)
        produced = len(out[0].sequences_ids[0])
        assert produced >= steps, produced
        return produced
    return run


def openai_run(audio: np.ndarray, steps: int, threads: int):
    import torch
    import whisper
    from whisper.model import ModelDimensions, Whisper

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    dims = ModelDimensions(**TINY_EN)
    path = Path(tempfile.mkdtemp()) / "tiny-en-random.pt"
    torch.save({"dims": dims.__dict__, "model_state_dict": Whisper(dims).state_dict()}, path)
    model = whisper.load_model(str(path), device="cpu")  # the path users give in the config
    tokenizer = whisper.tokenizer.get_tokenizer(False)
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(audio.astype(np.float32)))
    opts = whisper.DecodingOptions(language="en", without_timestamps=True, fp16=False,
                                   sample_len=steps, suppress_tokens=[tokenizer.eot],
                                   suppress_blank=False)

    def run():
        with torch.no_grad():
            res = whisper.decode(model, mel, opts)
        assert len(res.tokens) >= steps, len(res.tokens)
        return len(res.tokens)
    return run, sum(p.numel() for p in model.parameters())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    audio = speech_16k()
    rows = {}
    for ct in ("int8", "float32"):
        rows[f"faster-whisper {ct}"] = best(faster_run(audio, args.steps, ct, args.threads),
                                            args.repeat)
    try:
        run, params = openai_run(audio, args.steps, args.threads)
    except ImportError:
        print("openai-whisper is not installed: pip install -e '.[openai-whisper]'")
        return 1
    rows["openai-whisper float32"] = best(run, args.repeat)
    base = rows["openai-whisper float32"]
    print(f"audio {len(audio) / 16000:.1f} s (padded to 30 s), tiny.en dims "
          f"({params / 1e6:.1f} M params), 1 encoder pass + {args.steps} greedy decode steps, "
          f"{args.threads} threads, median of {args.repeat}")
    for name, secs in rows.items():
        print(f"{name:24} {secs:7.3f} s   openai/this = {base / secs:5.2f}x")
    print(json.dumps({k: round(v, 4) for k, v in rows.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
