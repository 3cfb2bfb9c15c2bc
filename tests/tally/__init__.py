"""Tests of the pure counting engine deliberation.tally (no Django, no database)."""
