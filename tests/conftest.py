"""Shared fixtures: the simulator fixtures come from the package's pytest plugin."""
