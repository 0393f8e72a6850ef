"""The daily work on cases: open, log, show, assess, decide, follow up, tick, close."""
