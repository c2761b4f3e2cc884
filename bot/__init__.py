"""Runtimes and infrastructure: CLI, settings, the two Telegram runtimes,
the scheduler, the sender and the sandbox."""
