"""twreplay."""
