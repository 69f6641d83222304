"""A stray quote in the manifest is an error naming its line, not a zip() traceback.

The TSV reader once let a title opening with ``"`` run on over the following lines (a quoted
field may hold newlines in CSV), so the lines and the fields no longer matched and the whole plan
died with ``ValueError: zip() argument 2 is shorter than argument 1``.
"""

from __future__ import annotations

import pytest

from dramabatch.base.errors import ConfigError
from dramabatch.workflow.batch.manifest import load_manifest


@pytest.mark.parametrize("title, cause", [
    ('"Love story', "a field opens with '\"' and the quote is never closed"),
    ('"Love" story', "text follows a field's closing '\"'"),
])
def test_a_stray_quote_names_its_line(tmp_path, title, cause):
    path = tmp_path / "m.tsv"
    path.write_text(f"id\tsource\ttitle\n# a comment\na\ta.mp4\tA\nb\tb.mp4\t{title}\n"
                    f"c\tc.mp4\tC\nd\td.mp4\tD\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_manifest(path)
    assert str(err.value).startswith(f"manifest {path} line 4: unbalanced quote: {cause}")


def test_quotes_that_close_still_read(tmp_path):
    """A whole quoted field (a tab inside it), a doubled quote and a quote mid-text."""
    path = tmp_path / "m.tsv"
    path.write_text('id\tsource\ttitle\na\ta.mp4\t"Love\tstory"\nb\tb.mp4\t"Say ""hi"""\n'
                    'c\tc.mp4\tTom "Big" Jones\r\n', encoding="utf-8")
    assert [d.title for d in load_manifest(path)] == ["Love\tstory", 'Say "hi"',
                                                       'Tom "Big" Jones']


def test_a_relative_source_stays_relative_inside_the_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo").mkdir()
    path = tmp_path / "demo" / "m.tsv"
    path.write_text("id\tsource\na\tsources/a.mp4\nb\t../../b.mp4\nc\t/abs/c.mp4\n")
    dramas = load_manifest(path)
    assert dramas[0].source == "demo/sources/a.mp4"
    # outside the working directory: absolute, as before
    assert dramas[1].source == str(tmp_path.parent.resolve() / "b.mp4")
    assert dramas[2].source == "/abs/c.mp4"
