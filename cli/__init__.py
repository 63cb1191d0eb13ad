"""The ``strikemap`` command: a thin front over the analysis, layers, maps and exports.

One module per verb (``validate``, ``layers``, ``impact``, ``export`` for export-map and
export-table, ``report``, ``data_team`` for import, add-strike, history and restore, ``serve``),
each with an ``add_<verb>_parser`` function (its options) and a ``_run_<verb>`` function (what it
does), bound with ``set_defaults(run=...)``; options several verbs share live in ``view_options``,
``output`` and ``common``. Adding a verb is adding a module and one line in ``main.VERBS``.
"""

from strikemap.cli.main import main

__all__ = ["main"]
