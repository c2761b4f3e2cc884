"""The core every feature stands on: the app, the context a use case gets, buttons,
messages, languages, the clock, jobs, the audit log, numbering and Telegram's limits."""
