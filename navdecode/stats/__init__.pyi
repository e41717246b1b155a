"""Type stub: the names `__init__.py` loads on first use, for type checkers and editors
(generated from its lazy table by ``python tests/test_stubs.py``)."""

from navdecode.stats import comparisons as comparisons
from navdecode.stats import coverage as coverage
from navdecode.stats import factorial as factorial
from navdecode.stats import groups as groups
from navdecode.stats import matrices as matrices
from navdecode.stats import mixed as mixed
from navdecode.stats.comparisons import compare as compare
from navdecode.stats.comparisons import holm as holm
from navdecode.stats.comparisons import mean_ci as mean_ci
from navdecode.stats.comparisons import permutation_test as permutation_test
from navdecode.stats.comparisons import seed_level as seed_level
from navdecode.stats.comparisons import summarize as summarize
from navdecode.stats.comparisons import welch_ci as welch_ci
from navdecode.stats.coverage import FACTORIAL_DESIGNS as FACTORIAL_DESIGNS
from navdecode.stats.coverage import validate_factorial as validate_factorial
from navdecode.stats.coverage import validate_groups as validate_groups
from navdecode.stats.coverage import validate_statistics as validate_statistics
from navdecode.stats.coverage import validate_within_between as validate_within_between
from navdecode.stats.factorial import compare_factorial as compare_factorial
from navdecode.stats.factorial import factorial_f as factorial_f
from navdecode.stats.factorial import factorial_wald as factorial_wald
from navdecode.stats.groups import INTERVAL as INTERVAL
from navdecode.stats.groups import NO_VARIATION as NO_VARIATION
from navdecode.stats.groups import between_group_f as between_group_f
from navdecode.stats.groups import expanded_level as expanded_level
from navdecode.stats.groups import group_rows as group_rows
from navdecode.stats.groups import iqm as iqm
from navdecode.stats.groups import omnibus_test as omnibus_test
from navdecode.stats.groups import pairs as pairs
from navdecode.stats.groups import probability_of_improvement as probability_of_improvement
from navdecode.stats.groups import stratified_bootstrap_ci as stratified_bootstrap_ci
from navdecode.stats.groups import table_of as table_of
from navdecode.stats.matrices import within_between_test as within_between_test
from navdecode.stats.mixed import mixed_model as mixed_model

__all__ = [
    "FACTORIAL_DESIGNS",
    "INTERVAL",
    "NO_VARIATION",
    "between_group_f",
    "compare",
    "compare_factorial",
    "expanded_level",
    "factorial_f",
    "factorial_wald",
    "group_rows",
    "holm",
    "iqm",
    "mean_ci",
    "mixed_model",
    "omnibus_test",
    "pairs",
    "permutation_test",
    "probability_of_improvement",
    "seed_level",
    "stratified_bootstrap_ci",
    "summarize",
    "table_of",
    "validate_factorial",
    "validate_groups",
    "validate_statistics",
    "validate_within_between",
    "welch_ci",
    "within_between_test",
]
