"""Files of what a view shows: the link table, strike tables, and the formats they share."""
