"""Entry point of a worker process (`python -m nl2code.execution._worker_main`)."""

from nl2code.execution._worker import main

main()
