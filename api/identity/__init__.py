"""Identity's corner of the API: enrolment and membership changes, ID cards, consent."""
