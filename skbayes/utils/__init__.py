"""Small helpers shared by every layer (no estimators, no numerics)."""
