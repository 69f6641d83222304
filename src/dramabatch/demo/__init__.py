"""The bundled offline demo batch: its source videos made from the demo's texts.

Used by ``make demo`` (the ``dramabatch-demo`` command) and the tests. Imports: any stage, never
the workflow machinery; nothing imports it.
"""
