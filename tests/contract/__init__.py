"""Contract tests: each generated client against Prism serving its curated spec."""
