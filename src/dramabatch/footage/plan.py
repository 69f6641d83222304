"""One footage plan from a job's config and inputs, for either orientation.

The portrait plan is its own job (``background``: reframing a short can take seconds of face
tracking, and every short of the drama reads the one plan). The landscape plan is made inside
``render_long``, its only reader: it takes well under a second (0.03 s from the source, 0.3 s
from the scenes on a 60 s drama, benchmarks/scenes.py) and every change to it changes the long
video anyway, so a job of its own only cost the scheduler one job per drama.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from .background import FootagePlan, frame_size, make_background, stock


def plan_footage(drama_id: str, orientation: str, config: dict, inputs: Mapping[str, Any],
                 out: str | os.PathLike[str] | None = None) -> FootagePlan:
    """The first plan of ``background.order`` that works, written to ``out`` when given.

    ``inputs`` holds the job's ``source`` and ``timeline`` and, with Pexels in the order, its
    picks (``search``) and their library ``clips``.
    """
    render = config["render"]
    long_wh = (render["long"]["width"], render["long"]["height"])
    short_wh = (render["short"]["width"], render["short"]["height"])
    pexels: Callable[[], FootagePlan] | None = None
    if "search" in inputs:
        clips = inputs.get("clips", [])
        clip_list = [clips] if isinstance(clips, str) else list(clips)

        def pexels() -> FootagePlan:
            return stock(inputs["search"], clip_list, config["pexels"]["seconds_per_clip"])

    def scenes() -> FootagePlan:
        from ..base.fsutil import load_json
        from .scene_plan import scenes_background

        return scenes_background(inputs["source"], load_json(inputs["narration_plan"]), orientation,
                                 frame_size(orientation, long_wh, short_wh),
                                 {**config["scenes"], "engine": render["engine"]})

    return make_background(
        drama_id, orientation, out, order=list(config["background"]["order"]),
        source=inputs["source"],
        options={**config["background"], "fps": render["fps"], "fit": render["fit"],
                 "max_upscale": render["max_upscale"]},
        long_wh=long_wh, short_wh=short_wh, pexels=pexels,
        pexels_reason="no search words for this drama", scenes=scenes)
