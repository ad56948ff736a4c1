"""Reference data the code reads: gazetteer, codes, registry of known documents."""
