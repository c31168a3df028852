"""Hand-written code for this package.

specgen creates this folder once and never touches it again: add helpers here that the spec
cannot express. Everything else in the package is overwritten by `make generate`.
"""
