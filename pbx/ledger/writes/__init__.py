"""One module per table family; each function runs inside the caller's transaction.

Lock order, so PostgreSQL never deadlocks two writers of one call: a write touches its own
row (leg, utterance, transfer, ...) first and the call row last (event seq, derived
columns), and nothing waits for a child row while holding the call row.
"""
