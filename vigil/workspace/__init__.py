"""The analyst workspace: database, users and access, audit, Framework assessments, reports and
triage, alerts and notifications, response tracking."""
