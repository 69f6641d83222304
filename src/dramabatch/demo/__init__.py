"""The bundled offline demo batch: its source videos made from the demo's texts.

Used by ``make demo`` (the ``dramabatch-demo`` command) and the tests. Imports: base, script (text
normalisation) and voice (the engines that speak the stories); never the workflow machinery;
nothing imports it.
"""
