"""The embedded Amazon Pay MWS simulator (see README, "Testing against the simulator")."""
