"""Adding a policy without code: `assistant policy draft | outline | check | cases | review`.

A maintainer receives a policy text, drafts a folder from it, reads the outline the parser made of
it, checks the folder until no problem is left, confirms the boundary rows, and approves each
program. Every step reports in Chinese with the file and line to fix.
"""
