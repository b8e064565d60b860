"""The review exercise: reviewing homework that was not done (design section 6)."""
