"""Asterisk configuration rendered from typed settings (see ``render``)."""
