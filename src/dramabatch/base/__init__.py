"""The ground floor: what every stage may use, and nothing stage-specific.

errors (DramaError and its one-line causes), media (ffprobe/ffmpeg from imageio-ffmpeg), fsutil
(atomic writes: a final name only ever holds a finished file; JSON records), audio (wav
read/write, resampling, silence trim), cache (the user's model and font cache folder), language
(language tags by langcodes, a text's language by fastText's model).
Reads and writes: only what its callers name. Imports: nothing else of dramabatch.
"""
