"""From a SourceDocument to a Decision: text, structure, citations, dates, agencies, tasks."""
