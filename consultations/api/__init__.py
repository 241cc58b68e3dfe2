"""The consultations API: consultations, their questions, responses and outcome (``consultations``);
the files a respondent attaches to a draft response (``attachments``)."""
