"""`specgen review`: what a spec change means for the API and for users of the generated client."""

from generator.review.run import review_command, rules_command

__all__ = ["review_command", "rules_command"]
