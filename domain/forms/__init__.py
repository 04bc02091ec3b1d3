"""The forms practitioners fill in: field ids and limits, reading a submission, each form's checks.

`fields` declares every input id and text limit (cards draw from it, checks read it);
`reading` turns one submission into answers and problems; `intake_checks` and `thread_checks`
hold the rules of the "new concern" forms and of the forms on a logged concern. Nothing is
re-exported here, so importing one module never loads the others.
"""
