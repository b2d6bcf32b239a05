"""Services act on the domain's decisions: they persist, then publish after the commit."""
