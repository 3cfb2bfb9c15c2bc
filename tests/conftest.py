"""Shared pytest fixtures: users, the demo site, and helpers for sockets."""
