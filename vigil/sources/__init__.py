"""Live data: sources Vigil keeps itself current from (UCDP GED, ACLED, GDELT 2.0, report feeds).

:mod:`~vigil.sources.registry` holds the definitions and sync state, one module per provider turns
its API into batches, :mod:`~vigil.sources.sync` ingests them batch by batch under a file lock,
:mod:`~vigil.sources.scheduler` runs due syncs inside ``vigil serve`` and
:mod:`~vigil.sources.freshness` says how current every number is.
"""
