"""The one analysis path: a data folder, a view and impact rules -> strikes, links, summaries.

The app, the command line, the exports and the country reports all call
``strikemap.analysis.analyse``; none of them chains data -> view -> rules -> join itself.
"""

from strikemap.analysis.dataset import Dataset, load_dataset
from strikemap.analysis.run import Analysis, analyse, rules_for
from strikemap.analysis.view import View, ViewError

__all__ = ["Analysis", "Dataset", "View", "ViewError", "analyse", "load_dataset", "rules_for"]
