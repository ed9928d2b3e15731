"""Plain helpers that test modules import: they build rows through the factories and the
services, as the app does. Fixtures stay in the conftest.py files, which use these.

- db: a transaction kept for a module, for rows built once and shared by its tests.
- personas: the standard, organisations and people of the personas fixture.
- evidence: evidence taken through the services to a given state.
- reviews: progress reviews recorded and signed through the services.
- epa: assessment plans, gateway and recording an assessment through the services.
- browser: signing in and out and screenshots, for the browser tests.
"""
