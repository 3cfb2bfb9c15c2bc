"""Wagtail pages of Cyd: the home page, Public Services Boards and their consultations."""
