"""This site's configuration: where it lives, its ports, its secrets (plain Python, no Django)."""
