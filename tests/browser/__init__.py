"""Stories told through the sandbox page in a real headless Chromium."""
