"""The README must match what the code does: its config reference is generated from the schema."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

from config_reference import readme_section, reference, reruns  # noqa: E402


def test_readme_config_reference_matches_schema():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_section(readme) == reference().strip(), (
        "README config reference is stale: run .venv/bin/python tools/config_reference.py --write")


def test_readme_rerun_table_matches_the_tracking_table():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_section(readme, "reruns") == reruns().strip(), (
        "README rerun table is stale: run .venv/bin/python tools/config_reference.py --write")


def test_every_schema_key_is_documented_in_the_reference():
    ref = reference()
    for key in ("manifest", "transcribe.model", "tts.engine", "render.encoder",
                "shorts.max_count", "skip"):
        assert f"`{key}`" in ref, key


def test_readme_names_the_two_commands_and_ci_runs_the_second():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (REPO / ".ci/run").read_text()


def test_config_file_and_schema_defaults_agree():
    """A batch run with its own --configfile from another folder gets the schema's defaults, not
    config/config.yaml's: every value config.yaml sets must be the schema default too."""
    import yaml
    from snakemake.utils import validate

    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    defaults = {"manifest": cfg["manifest"]}
    validate(defaults, str(REPO / "config" / "schema.yaml"))

    def differences(ours, schema, path=""):
        if isinstance(ours, dict):
            for key, value in ours.items():
                yield from differences(value, schema.get(key), f"{path}.{key}")
        elif ours != schema:
            yield f"{path}: config.yaml {ours!r}, schema default {schema!r}"

    assert list(differences(cfg, defaults)) == []
