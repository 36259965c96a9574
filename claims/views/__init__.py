"""Newsroom HTML views, one module per page or group of actions."""
