"""Redis Streams: commands in (consumer group) and events out."""
