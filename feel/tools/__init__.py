"""Maintenance tools of the FEEL engine (not used at run time)."""
