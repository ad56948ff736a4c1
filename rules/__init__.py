"""Rules: a Decision in, findings out."""
