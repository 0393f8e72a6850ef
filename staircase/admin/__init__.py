"""Setting up and keeping an installation: units, staff, residents, backups, the audit review."""
