"""Third-party files shipped unmodified with the auditor (each directory has its README and licence)."""
