"""Managers' reports: the floor's figures per campaign, queue, agent and day.

``figures`` (pure: call records and agents' state spans in, figures out; shared with the
wallboard), ``timeline`` (pure: agents' state changes → spans), and the Django shell around
them: ``models`` (agents' state history), ``ledger_replay`` (the ledger's events through the
wallboard's fold), ``views``/``api``/``urls`` (pages, CSV, JSON).
"""
