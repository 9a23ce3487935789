"""Question → answer: understand, retrieve, aggregate, compose, draft, evaluate."""
