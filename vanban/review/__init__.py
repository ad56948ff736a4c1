"""The review page for legal staff (`vanban review OUT`): findings in context, decisions kept in
OUT/vanban.sqlite across re-runs, an e-mailable report and a CSV of the decisions."""
