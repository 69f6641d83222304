"""A finished project folder copied (or moved) elsewhere plans nothing.

Manifest paths are recorded as the user wrote them: a relative source stays relative, so the
params and inputs Snakemake stored for each job still match in the new folder. Recorded
absolute, a moved folder (another mount point on a cluster node, a renamed home) once reran
every drama from fetch_source ("Params have changed: before '<old folder>/sources/x.mp4'").
"""

from __future__ import annotations

import shutil

from conftest import TINY_CONFIG, snakemake, write_manifest


def test_a_copied_project_folder_plans_nothing(tmp_path, speech_video):
    project = tmp_path / "first" / "project"
    (project / "sources").mkdir(parents=True)
    shutil.copy2(speech_video, project / "sources" / "talk.mp4")
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
