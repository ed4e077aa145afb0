"""National action plans: the item tree, owners, deadlines and append-only progress."""
