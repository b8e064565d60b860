"""The plan exercise: planning a homework task with the client (design section 6)."""
