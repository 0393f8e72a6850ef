"""The quality side (§1.3, §7.2–7.4): exports, pseudonyms, import, statistics, the report."""
