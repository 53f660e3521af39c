"""Simulated customers and agents for tests and the demo: real SIP/RTP peers, not mocks."""
