"""What each rule's output depends on: the params that decide a rerun, and nothing else.

Modules: ``tracks`` (the config keys each rule tracks, resolved per drama, and the stages' code
versions), ``recaps`` (which dramas are recapped, and in which language they are voiced),
``stagecode`` (which package modules a stage runs: its code hash, read from imports), ``table``
(config/README.md's "what each config key reruns" table, generated from ``tracks``). Imports: voice
(the voice plan, lazily).
"""
