"""Domain rules in plain Python (no Flask): matching, punches, sales, redemptions, refunds."""
