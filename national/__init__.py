"""National: arrives with its issue."""
