"""Speech recognition: one interface (:mod:`.base`), engines chosen by name (:mod:`.registry`)."""
