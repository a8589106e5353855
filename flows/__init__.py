"""Prefect flows, the command line and the demo.

Importing the package sets Prefect's defaults (flows.prefect_env) before any of its modules
imports prefect.
"""

from flows import prefect_env

prefect_env.configure()
