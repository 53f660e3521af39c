"""Speech synthesis for bot prompts: one interface (:mod:`.base`), engines by name (:mod:`.registry`)."""
