import pytest

from dramabatch.base.errors import ConfigError
from dramabatch.workflow.batch.manifest import load_manifest, validate_id


def write(tmp_path, text):
    p = tmp_path / "m.tsv"
    p.write_text(text, encoding="utf-8")
    return p


def test_parses_local_and_url_sources(tmp_path):
    p = write(tmp_path, "id\tsource\tlanguage\n# comment\na1\tvids/a.mp4\tes\n"
                        "b-2\thttps://example.org/b.mp4\t\n")
    dramas = load_manifest(p)
    assert [d.id for d in dramas] == ["a1", "b-2"]
    assert dramas[0].source == str((tmp_path / "vids/a.mp4").resolve())
    assert dramas[0].language == "es" and not dramas[0].is_url
    assert dramas[1].is_url and dramas[1].source == "https://example.org/b.mp4"


@pytest.mark.parametrize("bad", ["../x", "a b", "a/b", "", "ñandú", "x.mp4", "_library", "-rf",
                                 "logs", "Benchmarks"])
def test_unsafe_ids_rejected(bad):
    with pytest.raises(ConfigError, match="invalid drama id"):
        validate_id(bad)


def test_unsafe_id_names_its_line(tmp_path):
    p = write(tmp_path, "id\tsource\nok\ta.mp4\n../x\tb.mp4\n")
    with pytest.raises(ConfigError, match=r"line 3: invalid drama id '\.\./x'"):
        load_manifest(p)


def test_duplicate_id_names_both_lines(tmp_path):
    p = write(tmp_path, "id\tsource\nsame\ta.mp4\nsame\tb.mp4\n")
    with pytest.raises(ConfigError, match=r"line 3: duplicate id 'same' \(first on line 2;"):
        load_manifest(p)


def test_missing_column(tmp_path):
    p = write(tmp_path, "id\tvideo\na\ta.mp4\n")
    with pytest.raises(ConfigError, match="missing column"):
        load_manifest(p)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://host/x.mp4", "gopher://h/x"])
def test_disallowed_schemes(tmp_path, url):
    p = write(tmp_path, f"id\tsource\na\t{url}\n")
    with pytest.raises(ConfigError, match="line 2: source scheme"):
        load_manifest(p)


def test_bad_language(tmp_path):
    p = write(tmp_path, "id\tsource\tlanguage\na\ta.mp4\tSpanish!\n")
    with pytest.raises(ConfigError, match="invalid language"):
        load_manifest(p)


def test_accented_ids_are_folded_and_keep_their_label(tmp_path):
    p = write(tmp_path, "id\tsource\tlanguage\ncapítulo-1\ta.mp4\tes\nAño_ñandú\tb.mp4\tes\n")
    dramas = load_manifest(p)
    assert [(d.id, d.label) for d in dramas] == [("capitulo-1", "capítulo-1"),
                                                ("Ano_nandu", "Año_ñandú")]


def test_an_id_that_folds_onto_another_is_a_duplicate(tmp_path):
    p = write(tmp_path, "id\tsource\ncapitulo-1\ta.mp4\ncapítulo-1\tb.mp4\n")
    with pytest.raises(ConfigError, match=r"line 3: duplicate id 'capitulo-1' \(first on line 2"):
        load_manifest(p)


def test_an_unusable_id_names_the_id_to_use_instead(tmp_path):
    p = write(tmp_path, "id\tsource\nCapítulo 1: el faro!\ta.mp4\n")
    with pytest.raises(ConfigError, match=r"line 2: .*use 'Capitulo-1-el-faro' instead"):
        load_manifest(p)
