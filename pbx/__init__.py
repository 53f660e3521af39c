"""The real-time call service: owns live calls through Asterisk ARI and AMI (``python -m pbx``).

Nothing here imports Django; the management plane talks to it through ``pbx.api`` only.
"""
