"""Synthetic inboxes (SPEC §5 `inbeeld generate`): from one region to the whole country.

Modules: `registry` (which municipalities, how big), `population` (the monthly
simulation of lists and outreach), `cohort` (who appears, one test BSN each), `bsn`
(the 9999xxxxx test range), `registrations` (source snapshots), `deliveries` (who
delivers what when), `formats` (how each municipality writes), `faults` (bad rows),
`sociale_kaart`, `bevolking` (residents aged 23-26 per year), `files` (writing) and `inbox` (`generate_inbox`).
"""

from orchestration.generate.inbox import GenerateSummary, generate_inbox

__all__ = ["GenerateSummary", "generate_inbox"]
