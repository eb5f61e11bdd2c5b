"""The checks of the regulator bundle's verifier, one module a role, Python 3.9+ and the
standard library alone. The bundle carries these modules (not this file) in `verifier/` beside
`verify_bundle.py`, which says what each checks and makes them a package by their path; they
import one another relatively, so they are `verifier` there and this package here."""
