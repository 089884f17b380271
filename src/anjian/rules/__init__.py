"""Regulations as code: pure, typed functions with no Django imports.

Every function names the rule it implements and its source in its docstring
(see RULES.md in the shared design folder for the full texts). Models and
services call these functions; they never repeat the numbers.
"""
