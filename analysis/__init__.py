"""The one analysis path: a data folder, a view and impact rules -> strikes, links, summaries.

The app, the command line, the exports and the country reports all call
``strikemap.analysis.analyse``; none of them chains data -> view -> rules -> join itself.
"""
