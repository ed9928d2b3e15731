"""Who may see and do what with portfolio records. Child records go through their
apprenticeship: load the row, then `get_apprenticeship_for(user, row.apprenticeship_id,
action)` decides (see apprenticeship/access.py)."""
