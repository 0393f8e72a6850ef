"""The data subject's side: subject access, redaction, retention and purge."""
