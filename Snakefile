# dramabatch: source drama videos -> narrated long videos, vertical shorts, one zip.
# One rules file per stage (rules/<stage>.smk, named like the package's stage subpackages);
# the machinery in common, inputs, targets and hooks; the logic lives in the dramabatch Python package (src/).

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/inputs.smk"
include: "rules/targets.smk"
include: "rules/hooks.smk"
include: "rules/sources.smk"
include: "rules/speech.smk"
include: "rules/script.smk"
include: "rules/voice.smk"
include: "rules/footage.smk"
include: "rules/render.smk"
include: "rules/shorts.smk"
include: "rules/qc.smk"
include: "rules/archive.smk"


onstart:
    check_disk()


onsuccess:
    report_run()


onerror:
    report_run()


rule all:
    default_target: True
    input:
        # Every file by fixed name (archives, outputs, batch zip): `snakemake -n` shows the whole
        # plan before the shorts checkpoints have run.
        targets(),
        all_planned_shorts,
