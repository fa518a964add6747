"""TalentPort policy engine: pure Python, no Django.

profile (validated against the contract schema) → rules (dated parameters + conditions
in a small safe language + cases) → results with reasons. One condition language, two
interpreters: scalar with tracing (:func:`evaluate`) and vectorised (:func:`match_frame`).
"""

from .batch import MatchError, match_file, match_rows
from .dsl import PolicyError, parse_expression
from .evaluate import ProfileInvalid, evaluate, needed_fields, run_policy_cases
from .model import Condition, Policy, load_policies, parse_policy_text
from .schema import ProfileError, validate_profile

__all__ = [
    "Condition",
    "MatchError",
    "Policy",
    "PolicyError",
    "ProfileError",
    "ProfileInvalid",
    "evaluate",
    "load_policies",
    "match_file",
    "match_rows",
    "needed_fields",
    "parse_expression",
    "parse_policy_text",
    "run_policy_cases",
    "validate_profile",
]
