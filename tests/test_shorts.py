import pytest

from dramabatch.shorts import plan_shorts, sentences


def tl(durations, pause=0.6):
    segs, t = [], 0.0
    for i, d in enumerate(durations):
        segs.append({"text": f"s{i}.", "sentence": i, "start": t, "end": t + d,
                     "pause_ms": 0 if i == len(durations) - 1 else int(pause * 1000)})
        t += d + (pause if i < len(durations) - 1 else 0)
    return {"segments": segs, "duration": t}


@pytest.mark.parametrize("durations", [[4] * 30, [2, 9, 3, 14, 1, 6, 6, 6, 25, 3, 3, 3, 3, 3]])
def test_shorts_are_in_bounds_on_sentence_boundaries_and_in_order(durations):
    timeline = tl(durations)
    plans = plan_shorts(timeline, max_count=10, min_s=10, max_s=20)
    starts = {s.start for s in sentences(timeline)}
    ends = {s.end for s in sentences(timeline)}
    assert plans, "expected at least one short"
    for p in plans:
        assert 10 <= p.duration <= 20
        assert p.start in {round(x, 4) for x in starts}
        assert p.end in {round(x, 4) for x in ends}
    assert [p.number for p in plans] == list(range(1, len(plans) + 1))
    assert all(a.end <= b.start for a, b in zip(plans, plans[1:], strict=False))


def test_max_count_and_too_short_narration():
    assert len(plan_shorts(tl([4] * 60), max_count=3, min_s=10, max_s=20)) == 3
    assert plan_shorts(tl([2, 2]), min_s=10, max_s=20) == []


def test_a_sentence_longer_than_max_is_skipped_not_fatal():
    plans = plan_shorts(tl([30, 5, 6]), min_s=10, max_s=20)
    assert len(plans) == 1 and plans[0].first_sentence == 1
