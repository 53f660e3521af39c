"""Live call audio: RTP to and from Asterisk's ExternalMedia channels."""
