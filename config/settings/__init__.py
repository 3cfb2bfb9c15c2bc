"""Settings split by environment: base holds everything, the others only override."""
