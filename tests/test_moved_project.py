"""A finished project folder copied (or moved) elsewhere plans nothing.

Manifest paths are recorded as the user wrote them: a relative source stays relative, so the
params and inputs Snakemake stored for each job still match in the new folder. Recorded
absolute, a moved folder (another mount point on a cluster node, a renamed home) once reran
every drama from fetch_source ("Params have changed: before '<old folder>/sources/x.mp4'").
"""

from __future__ import annotations

import shutil

from conftest import TINY_CONFIG, snakemake, write_manifest


def test_a_copied_project_folder_plans_nothing(tmp_path, brief_videos):
    project = tmp_path / "first" / "project"
    (project / "sources").mkdir(parents=True)
    shutil.copy2(brief_videos[0], project / "sources" / "talk.mp4")
    write_manifest(project / "manifest.tsv", [("talk", "sources/talk.mp4")])
    (project / "config.yaml").write_text(TINY_CONFIG.format(manifest="manifest.tsv"))
    done = snakemake(project, "--cores", "2")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert (project / "results" / "talk" / "long.mp4").is_file()

    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    shutil.copytree(project, moved, symlinks=True)  # copy2: the files keep their mtimes
    shutil.rmtree(tmp_path / "first")  # a move: nothing of the old folder is left to read
    plan = snakemake(moved, "-n", "--cores", "1")
    out = plan.stdout + plan.stderr
    assert plan.returncode == 0, out[-3000:]
    assert "Nothing to be done" in out, out[-3000:]
    assert "first" not in out


def test_a_batch_recorded_with_absolute_sources_is_adopted_not_redone(tmp_path, speech_video):
    """Before sources stayed relative, fetch_source's record held the absolute path (param and
    input, exactly as below): the first run of the new code adopts it for the same file."""
    import json

    from dramabatch.workflow.rerun.adopt import MARK, record_path

    (tmp_path / "sources").mkdir()
    shutil.copy2(speech_video, tmp_path / "sources" / "talk.mp4")
    shutil.copy2(speech_video, tmp_path / "sources" / "other.mp4")
    write_manifest(tmp_path / "manifest.tsv", [("talk", "sources/talk.mp4")])
    (tmp_path / "config.yaml").write_text(TINY_CONFIG.format(manifest="manifest.tsv"))
    target = "results/talk/source.media"
    done = snakemake(tmp_path, "--cores", "1", target)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    record_file = record_path(tmp_path / ".snakemake" / "metadata", target)
    recorded = json.loads(record_file.read_text())
    assert recorded["params"][0] == "'sources/talk.mp4'" and recorded["input"] == [
        "sources/talk.mp4"]

    def old_style(path: str) -> None:
        record = dict(recorded, input=[path], params=sorted([repr(path), *recorded["params"][1:]]),
                      input_checksums={path: "sha256:0"})
        record_file.write_text(json.dumps(record))
        (tmp_path / ".snakemake" / MARK).unlink(missing_ok=True)

    # a record of another file is not adopted: that drama reruns
    old_style(str((tmp_path / "sources" / "other.mp4").resolve()))
    plan = snakemake(tmp_path, "-n", "--cores", "1", target)
    assert "Params have changed" in plan.stdout + plan.stderr, plan.stdout[-3000:]
    # the same file, spelled absolute as the old code did: adopted, nothing to do
    old_style(str((tmp_path / "sources" / "talk.mp4").resolve()))
    plan = snakemake(tmp_path, "-n", "--cores", "1", target)
    assert "Nothing to be done" in plan.stdout + plan.stderr, plan.stdout[-3000:]
    assert json.loads(record_file.read_text())["input"] == ["sources/talk.mp4"]
