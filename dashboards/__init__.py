"""The published pages: the regional dashboards and the index, their figures, templates
and Dutch texts. What they show comes from the protected cell set
(orchestration/publish/cube.py); nothing here decides what may be published."""
