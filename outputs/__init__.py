"""Writers: tables, JSON, database, reports."""
