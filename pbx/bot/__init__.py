"""The AI agent on a call: dialog flow + speech + VoiceWatch, behind the engine's Conversation."""
