"""Local services that tests and benchmarks start themselves: a throw-away PostgreSQL cluster
(``postgres.sh`` / :mod:`orchestration.services.postgres`) and Debian's Chromium for the browser
tests (``install_chromium.sh``). Nothing here runs in the pipeline."""
