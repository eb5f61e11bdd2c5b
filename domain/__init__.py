"""The pure core of planledger: money, rates, periods, rules, events and aggregates.

Nothing in this package performs I/O, reads the clock or the environment. Dates and times are
passed in by the caller.
"""
